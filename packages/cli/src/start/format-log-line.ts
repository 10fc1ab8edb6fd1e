const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'v']);

/**
 * One line of a child's output for the combined log: a pino JSON line becomes
 * `HH:MM:SS.mmm LEVEL [service] message key=value …`; anything else is prefixed as it is.
 */
export function formatLogLine(service: string, line: string, width = 15): string {
  const tag = `[${service}]`.padEnd(width + 2);
  if (!line.startsWith('{')) return `${tag} ${line}`;
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${tag} ${line}`;
  }
  const time = typeof rec.time === 'number' ? new Date(rec.time).toISOString().slice(11, 23) : '';
  const level = LEVELS[rec.level as number] ?? String(rec.level ?? '');
  const extras = Object.entries(rec)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${time} ${level} ${tag} ${String(rec.msg ?? '')}${extras ? ` ${extras}` : ''}`;
}
