import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findBinary } from './find-binary';
import { PrivateServer } from './private-server';
import { mariadbAnswers } from './server-probe';
import { ServerProcess } from './server-process';
import { sparePort } from './spare-port';

export interface PrivateMariadbOptions {
  /** Port on 127.0.0.1 (default: a spare one). */
  readonly port?: number;
}

/**
 * A MariaDB server of the test's own: `mariadb-install-db` into a temporary folder, then
 * `mariadbd` on a spare port with root and no password. Data survives stop/kill and start, so a
 * test can take the database away and bring it back.
 */
export class PrivateMariadb extends PrivateServer {
  static async start(options: PrivateMariadbOptions = {}): Promise<PrivateMariadb> {
    const server = findBinary('mariadbd');
    const installer = findBinary('mariadb-install-db');
    if (!server || !installer) {
      throw new Error('mariadbd or mariadb-install-db is not installed (PATH, /usr/sbin)');
    }
    const port = options.port ?? (await sparePort());
    const dir = await mkdtemp(join(tmpdir(), '3t-mariadb-'));
    const data = join(dir, 'data');
    // mariadbd refuses to run as root unless told to; elsewhere it runs as the current user.
    const user = `--user=${userInfo().username}`;
    await promisify(execFile)(installer, [
      '--no-defaults',
      `--datadir=${data}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      user,
    ]).catch((err: Error) => {
      throw new Error(`mariadb-install-db into ${data} failed: ${err.message}`);
    });
    const args = [
      '--no-defaults',
      `--datadir=${data}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${join(dir, 'mariadb.sock')}`,
      `--pid-file=${join(dir, 'mariadb.pid')}`,
      '--skip-log-bin',
      '--innodb-buffer-pool-size=32M',
      user,
    ];
    const log = join(dir, 'mariadb.log');
    const db = new PrivateMariadb(
      port,
      dir,
      new ServerProcess('mariadb', server, args, log),
      60_000,
    );
    await db.start();
    return db;
  }

  get url(): string {
    return `mysql://root@127.0.0.1:${this.port}`;
  }

  protected answers(): Promise<boolean> {
    return mariadbAnswers(this.url);
  }

  /** Connection settings for a database on this server (e.g. for `migrate()` of @3t/runtime). */
  connection(database: string) {
    return { host: '127.0.0.1', port: this.port, user: 'root', password: '', database };
  }
}

export function startPrivateMariadb(options?: PrivateMariadbOptions): Promise<PrivateMariadb> {
  return PrivateMariadb.start(options);
}
