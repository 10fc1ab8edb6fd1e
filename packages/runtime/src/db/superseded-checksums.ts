/**
 * Earlier texts of migrations that were edited in place without changing their schema (made
 * re-runnable after a start stopped half-way through: IF NOT EXISTS, guarded statements). A
 * database that applied an earlier text recorded its sha256 in schema_migrations; the runner
 * accepts these as the same migration. Only for edits that leave the resulting schema unchanged;
 * a schema change is always a new NNN_name.sql.
 */
export const SUPERSEDED_CHECKSUMS: Readonly<Record<string, readonly string[]>> = {
  '006_order_safety.sql': ['46f561d2c344d79810503a6c81bc7e67c1b6a615e0403ad5da2f7d788625187e'],
  '010_alo_orders.sql': ['a018a9c7254df063063744a9e89cdcda79b3d2289c1403a68299259f0c2c1fb2'],
  '014_funding_mode.sql': ['fed256c468299f9183420f56589b07b4d1067f4d34abc8756bc97eb83bad0a86'],
};

/** Whether `recorded` (schema_migrations.checksum) is the current or an accepted earlier text. */
export function checksumAccepted(file: string, current: string, recorded: unknown): boolean {
  if (recorded === current) return true;
  return typeof recorded === 'string' && (SUPERSEDED_CHECKSUMS[file] ?? []).includes(recorded);
}
