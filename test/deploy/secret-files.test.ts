import { describe, expect, it } from 'vitest';
import { secretFiles } from '../../deploy/write-secret-files';

const db = { host: 'mariadb', port: 3306, user: 'root' };

describe('secretFiles', () => {
  it('gives MariaDB, Grafana and the MariaDB exporter their passwords from secrets.yml', () => {
    const { files, missing } = secretFiles(
      { mariadb: { password: 'db-pw' }, grafana: { admin_password: 'gf-pw' } },
      db,
    );
    expect(missing).toEqual([]);
    const byName = Object.fromEntries(files.map((f) => [f.name, f.content]));
    expect(byName['mariadb_password']).toBe('db-pw');
    expect(byName['grafana_admin_password']).toBe('gf-pw');
    expect(byName['mysqld-exporter.cnf']).toBe(
      '[client]\nuser=root\npassword=db-pw\nhost=mariadb\nport=3306\n',
    );
  });

  it('names every empty password key so the user knows what to fill in', () => {
    const { missing } = secretFiles(
      { mariadb: { password: '' }, grafana: { admin_password: '' } },
      db,
    );
    expect(missing).toEqual(['mariadb.password', 'grafana.admin_password']);
  });
});
