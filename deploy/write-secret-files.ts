/**
 * docker-compose `secret-files` step: reads secrets.yml (the one place a user writes passwords)
 * and writes the secrets that third-party containers can only take from a file, each 0400 and
 * owned by the user of the container that reads it (the upstream images' users):
 *   mariadb_password          mysql 999      MariaDB `MARIADB_ROOT_PASSWORD_FILE`
 *   mariadb-init.sql          mysql 999      MariaDB `--init-file`: grafana_reader's password
 *   redis.conf                redis 999      Redis `requirepass`
 *   redis-exporter.json       59000          redis_exporter `--redis.password-file`
 *   mysqld-exporter.cnf       nobody 65534   mysqld-exporter `--config.my-cnf`
 *   grafana_admin_password    grafana 472    Grafana `GF_SECURITY_ADMIN_PASSWORD__FILE`
 *   grafana_mariadb_password  grafana 472    Grafana's MariaDB data source (user grafana_reader)
 *   alertmanager.yml          nobody 65534   prometheus/alertmanager.yml with the receivers of
 *                                            secrets.yml `alertmanager`
 * Usage: node dist/write-secret-files.mjs <dir>   (in the image; as root with CHOWN, see compose)
 * An empty required password stops here with the keys to fill in, before anything else starts.
 */
import { chownSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, type Secrets } from '@3t/runtime';
import { renderAlertmanagerConfig } from './alertmanager-config';

export interface SecretFile {
  name: string;
  content: string;
  /** uid:gid of the container user that reads it */
  uid: number;
  gid: number;
}

const MYSQL = 999;
const REDIS = 999;
const REDIS_EXPORTER = 59000;
const NOBODY = 65534;
const GRAFANA = 472;

/** A MariaDB string literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A double-quoted redis.conf argument. */
function redisString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The secrets.yml keys docker-compose cannot run without. */
const REQUIRED = [
  ['mariadb', 'password'],
  ['redis', 'password'],
  ['grafana', 'admin_password'],
  ['grafana', 'mariadb_password'],
] as const;

/** The files to write, or the list of secrets.yml keys that must be filled in first. */
export function secretFiles(
  secrets: Secrets,
  mariadb: { host: string; port: number; user: string },
  alertmanagerTemplate: string,
): { files: SecretFile[]; missing: string[] } {
  const missing = REQUIRED.filter(
    ([section, key]) => (secrets[section] as Record<string, string>)[key] === '',
  ).map(([section, key]) => `${section}.${key}`);
  const cnf = [
    '[client]',
    `user=${mariadb.user}`,
    `password=${secrets.mariadb.password}`,
    `host=${mariadb.host}`,
    `port=${mariadb.port}`,
    '',
  ].join('\n');
  const initSql = [
    '-- written by deploy/write-secret-files.ts from secrets.yml grafana.mariadb_password',
    // at the very first start no migration has run yet: the user is made here (migration 009,
    // run later by the services, then finds it and grants SELECT on the database)
    "CREATE USER IF NOT EXISTS 'grafana_reader'@'%' ACCOUNT LOCK;",
    `ALTER USER IF EXISTS 'grafana_reader'@'%' IDENTIFIED BY ${sqlString(secrets.grafana.mariadb_password)} ACCOUNT UNLOCK;`,
    '',
  ].join('\n');
  const file = (name: string, content: string, uid: number): SecretFile => ({
    name,
    content,
    uid,
    gid: uid,
  });
  return {
    missing,
    files: [
      file('mariadb_password', secrets.mariadb.password, MYSQL),
      file('mariadb-init.sql', initSql, MYSQL),
      file('redis.conf', `requirepass ${redisString(secrets.redis.password)}\n`, REDIS),
      file(
        'redis-exporter.json',
        `${JSON.stringify({ 'redis://redis:6379': secrets.redis.password })}\n`,
        REDIS_EXPORTER,
      ),
      file('mysqld-exporter.cnf', cnf, NOBODY),
      file('grafana_admin_password', secrets.grafana.admin_password, GRAFANA),
      file('grafana_mariadb_password', secrets.grafana.mariadb_password, GRAFANA),
      file(
        'alertmanager.yml',
        renderAlertmanagerConfig(alertmanagerTemplate, secrets.alertmanager),
        NOBODY,
      ),
    ],
  };
}

/** Writes `files` into `dir`: 0400, owned by their reader when we may chown (root). */
export function writeSecretFiles(dir: string, files: readonly SecretFile[]): void {
  mkdirSync(dir, { recursive: true });
  const root = process.getuid?.() === 0;
  for (const f of files) {
    const path = join(dir, f.name);
    // read-only files are replaced, not rewritten
    rmSync(path, { force: true });
    writeFileSync(path, f.content, { mode: 0o400 });
    if (root) chownSync(path, f.uid, f.gid);
  }
}

function main(dir: string | undefined, template: string | undefined): number {
  if (!dir || !template) {
    console.error('usage: write-secret-files <dir> <alertmanager.yml template>');
    return 2;
  }
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig({ allowMissingConfig: true });
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : String(err));
    return 1;
  }
  for (const w of loaded.warnings) console.error(`warning: ${w}`);
  const { files, missing } = secretFiles(
    loaded.secrets,
    loaded.config.mariadb,
    readFileSync(template, 'utf8'),
  );
  if (loaded.secretsPath === null || missing.length > 0) {
    const keys = missing.length > 0 ? missing : REQUIRED.map((k) => k.join('.'));
    console.error(
      `secrets.yml: set ${keys.join(', ')} (cp secrets.yml.example secrets.yml, fill them in, chmod 600 secrets.yml), then docker-compose up -d again`,
    );
    return 1;
  }
  writeSecretFiles(dir, files);
  console.log(`wrote ${files.map((f) => f.name).join(', ')} to ${dir}`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = main(process.argv[2], process.argv[3]);
}
