import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secretsSchema } from '@3t/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderAlertmanagerConfig } from '../../deploy/alertmanager-config';
import { secretFiles, sqlString, writeSecretFiles } from '../../deploy/write-secret-files';
import { ROOT } from './stack';

const db = { host: 'mariadb', port: 3306, user: 'root' };
const template = readFileSync(join(ROOT, 'prometheus/alertmanager.yml'), 'utf8');
const full = secretsSchema.parse({
  mariadb: { password: 'db-pw' },
  redis: { password: 'redis "pw"' },
  grafana: { admin_password: 'gf-pw', mariadb_password: "rd'pw" },
  alertmanager: { webhook_url: 'http://127.0.0.1:9999/hook' },
});
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('secretFiles', () => {
  it('gives each container its password from secrets.yml, owned by that container user', () => {
    const { files, missing } = secretFiles(full, db, template);
    expect(missing).toEqual([]);
    const byName = Object.fromEntries(files.map((f) => [f.name, f]));
    expect(byName['mariadb_password']).toMatchObject({ content: 'db-pw', uid: 999 });
    expect(byName['grafana_admin_password']).toMatchObject({ content: 'gf-pw', uid: 472 });
    expect(byName['grafana_mariadb_password']).toMatchObject({ content: "rd'pw", uid: 472 });
    expect(byName['mysqld-exporter.cnf']).toMatchObject({
      content: '[client]\nuser=root\npassword=db-pw\nhost=mariadb\nport=3306\n',
      uid: 65534,
    });
    expect(byName['redis.conf']).toMatchObject({
      content: 'requirepass "redis \\"pw\\""\n',
      uid: 999,
    });
    expect(JSON.parse(byName['redis-exporter.json']!.content)).toEqual({
      'redis://redis:6379': 'redis "pw"',
    });
    expect(byName['redis-exporter.json']!.uid).toBe(59000);
    expect(byName['mariadb-init.sql']!.content).toContain(
      "CREATE USER IF NOT EXISTS 'grafana_reader'@'%' ACCOUNT LOCK;\nALTER USER IF EXISTS 'grafana_reader'@'%' IDENTIFIED BY 'rd\\'pw' ACCOUNT UNLOCK;",
    );
    const am = parse(byName['alertmanager.yml']!.content) as {
      receivers: { name: string; webhook_configs?: { url: string }[] }[];
    };
    expect(am.receivers[0]?.webhook_configs?.[0]?.url).toBe('http://127.0.0.1:9999/hook');
    expect(byName['alertmanager.yml']!.uid).toBe(65534);
  });

  it('names every empty password key so the user knows what to fill in', () => {
    const { missing } = secretFiles(secretsSchema.parse({}), db, template);
    expect(missing).toEqual([
      'mariadb.password',
      'redis.password',
      'grafana.admin_password',
      'grafana.mariadb_password',
    ]);
  });

  it('writes every file 0400', () => {
    const dir = mkdtempSync(join(tmpdir(), '3t-secret-files-'));
    dirs.push(dir);
    const { files } = secretFiles(full, db, template);
    writeSecretFiles(dir, files);
    writeSecretFiles(dir, files); // again: read-only files are replaced
    for (const f of files) {
      const st = statSync(join(dir, f.name));
      expect((st.mode & 0o777).toString(8), f.name).toBe('400');
      if (process.getuid?.() === 0) expect(st.uid, `${f.name} owner`).toBe(f.uid);
    }
  });

  it('quotes SQL strings so a password cannot end the statement', () => {
    expect(sqlString("a'b\\c")).toBe("'a\\'b\\\\c'");
  });
});

describe('renderAlertmanagerConfig', () => {
  it('adds exactly the channels set in secrets.yml to the receiver operators', () => {
    const render = (a: Record<string, string>) =>
      parse(
        renderAlertmanagerConfig(template, secretsSchema.parse({ alertmanager: a }).alertmanager),
      ) as { receivers: Record<string, unknown>[] };
    expect(render({}).receivers).toEqual([{ name: 'operators' }]);
    const all = render({
      webhook_url: 'http://127.0.0.1:1/x',
      telegram_bot_token: '123:abc',
      telegram_chat_id: '-100200',
      email_to: 'ops@example.org',
      email_from: '3t@example.org',
      email_smarthost: 'smtp.example.org:587',
      email_username: '3t',
      email_password: 'mail-pw',
    }).receivers[0];
    expect(all).toEqual({
      name: 'operators',
      webhook_configs: [{ url: 'http://127.0.0.1:1/x', send_resolved: true }],
      telegram_configs: [{ bot_token: '123:abc', chat_id: -100200, send_resolved: true }],
      email_configs: [
        {
          to: 'ops@example.org',
          from: '3t@example.org',
          smarthost: 'smtp.example.org:587',
          auth_username: '3t',
          auth_password: 'mail-pw',
          send_resolved: true,
        },
      ],
    });
  });
});
