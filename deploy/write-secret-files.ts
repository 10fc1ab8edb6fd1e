/**
 * docker-compose `secret-files` step: reads secrets.yml (the one place a user writes passwords)
 * and writes the few secrets third-party containers can only take from a file:
 *   mariadb_password        → MariaDB `MARIADB_ROOT_PASSWORD_FILE`, Grafana's MariaDB datasource
 *   grafana_admin_password  → Grafana `GF_SECURITY_ADMIN_PASSWORD__FILE`
 *   mysqld-exporter.cnf     → prom/mysqld-exporter `--config.my-cnf`
 * Usage: node --import tsx deploy/write-secret-files.ts <dir>
 * An empty required password stops here with the key to fill in, before MariaDB or Grafana start.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@3t/runtime';

export interface SecretFile {
  name: string;
  content: string;
}

/** The files to write, or the list of secrets.yml keys that must be filled in first. */
export function secretFiles(
  secrets: { mariadb: { password: string }; grafana: { admin_password: string } },
  mariadb: { host: string; port: number; user: string },
): { files: SecretFile[]; missing: string[] } {
  const missing: string[] = [];
  if (secrets.mariadb.password === '') missing.push('mariadb.password');
  if (secrets.grafana.admin_password === '') missing.push('grafana.admin_password');
  const cnf = [
    '[client]',
    `user=${mariadb.user}`,
    `password=${secrets.mariadb.password}`,
    `host=${mariadb.host}`,
    `port=${mariadb.port}`,
    '',
  ].join('\n');
  return {
    missing,
    files: [
      { name: 'mariadb_password', content: secrets.mariadb.password },
      { name: 'grafana_admin_password', content: secrets.grafana.admin_password },
      { name: 'mysqld-exporter.cnf', content: cnf },
    ],
  };
}

function main(dir: string | undefined): number {
  if (!dir) {
    console.error('usage: write-secret-files.ts <dir>');
    return 2;
  }
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig({ allowMissingConfig: true });
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : String(err));
    return 1;
  }
  const { files, missing } = secretFiles(loaded.secrets, loaded.config.mariadb);
  if (loaded.secretsPath === null || missing.length > 0) {
    const keys =
      missing.length > 0 ? missing.join(', ') : 'mariadb.password, grafana.admin_password';
    console.error(
      `secrets.yml: set ${keys} (cp secrets.yml.example secrets.yml, fill them in, chmod 600 secrets.yml), then docker-compose up -d again`,
    );
    return 1;
  }
  mkdirSync(dir, { recursive: true });
  for (const f of files) {
    const path = join(dir, f.name);
    // read-only files are replaced, not rewritten; 0444: the mysql (999) and grafana (472) users
    // of their images read them, and the volume is mounted only into the containers that need it.
    rmSync(path, { force: true });
    writeFileSync(path, f.content, { mode: 0o444 });
  }
  console.log(`wrote ${files.map((f) => f.name).join(', ')} to ${dir}`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv[2]);
