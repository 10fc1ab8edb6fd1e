import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, sparePort, type TestDatabase } from '@3t/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/index';
import { captureIo } from './helpers/capture-io';

let db: TestDatabase;
let dir: string;
let paper: string;
let live: string;
const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);

/** config.yml pointing at the test's own database on the test MariaDB. */
function writeConfig(
  name: string,
  mode: 'paper' | 'live',
  database: string,
  port?: number,
): string {
  const url = new URL(db.url);
  const path = join(dir, name);
  writeFileSync(
    path,
    `mode: ${mode}\nmariadb:\n  host: ${url.hostname}\n  port: ${port ?? (Number(url.port) || 3306)}\n  user: ${decodeURIComponent(url.username) || 'root'}\n  database: ${database}\n`,
  );
  return path;
}

async function cli(...args: string[]) {
  const io = captureIo({ cwd: dir, env: {}, now: () => NOW });
  const code = await runCli(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

beforeAll(async () => {
  db = await createTestDatabase({ label: 'cli_migrate' });
  dir = mkdtempSync(join(tmpdir(), '3t-migrate-'));
  paper = writeConfig('paper.yml', 'paper', db.name);
  live = writeConfig('live.yml', 'live', db.name);
  // live deployments have credentials; the values are dummies and must never be printed
  writeFileSync(
    join(dir, 'secrets.yml'),
    'exchange:\n  api_key: dummy-key-123456\n  secret: dummy-secret-123456\n',
  );
  chmodSync(join(dir, 'secrets.yml'), 0o600);
});

afterAll(async () => {
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('3t migrate (runtime migrator, real MariaDB, own database)', () => {
  it('applies the migrations, then finds the database up to date', async () => {
    const first = await cli('migrate', '--config', paper);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(
      new RegExp(`${db.name}: applied 001_core\\.sql.* \\(schema version \\d+\\)`),
    );
    const [tables] = await db.pool.query("SHOW TABLES LIKE 'trading_halts'");
    expect(tables, 'trading_halts exists').toHaveLength(1);
    const again = await cli('migrate', '--config', paper);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/is up to date \(schema version \d+\)/);
  });

  it('names the address and how to start MariaDB when nothing answers', async () => {
    const closed = writeConfig('closed.yml', 'paper', db.name, await sparePort());
    const r = await cli('migrate', '--config', closed);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /MariaDB at 127\.0\.0\.1:\d+ is not reachable \(ECONNREFUSED\)\. Start one with/,
    );
  });
});

describe('3t halt / 3t resume (trading_halts)', () => {
  const rows = async () => {
    const [r] = await db.pool.query(
      'SELECT mode, scope, halted, reason, changed_at FROM trading_halts ORDER BY mode, scope',
    );
    return (r as Record<string, unknown>[]).map((x) => ({
      mode: String(x['mode']),
      scope: String(x['scope']),
      halted: Number(x['halted']),
      reason: String(x['reason']),
      changed_at: Number(x['changed_at']),
    }));
  };

  it('halts all symbols, then one symbol, recording mode, reason and time', async () => {
    const all = await cli('halt', '--config', paper, '--reason', 'exchange maintenance');
    expect(all.code, all.err).toBe(0);
    expect(all.out).toBe(
      'halted (paper): all since 2024-05-01T12:00:00.000Z — exchange maintenance\n',
    );
    const one = await cli('halt', '--config', paper, '--symbol', 'BTC/USDT');
    expect(one.code).toBe(0);
    expect(await rows()).toEqual([
      {
        mode: 'paper',
        scope: 'BTC/USDT',
        halted: 1,
        reason: 'manual halt (3t halt)',
        changed_at: NOW,
      },
      { mode: 'paper', scope: 'all', halted: 1, reason: 'exchange maintenance', changed_at: NOW },
    ]);
  });

  it('resume clears the all-symbols halt and says what stays halted', async () => {
    const r = await cli('resume', '--config', paper);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(
      'lifted (paper): all was halted since 2024-05-01T12:00:00.000Z — exchange maintenance\n' +
        'halted (paper): BTC/USDT since 2024-05-01T12:00:00.000Z — manual halt (3t halt)\n',
    );
    const sym = await cli('resume', '--config', paper, '--symbol', 'BTC/USDT');
    expect(sym.out).toBe(
      'lifted (paper): BTC/USDT was halted since 2024-05-01T12:00:00.000Z — manual halt (3t halt)\n' +
        'trading (paper): not halted\n',
    );
    expect((await rows()).every((x) => x.halted === 0)).toBe(true);
    const again = await cli('resume', '--config', paper);
    expect(again.out).toBe(
      'nothing to lift (paper): all was not halted\ntrading (paper): not halted\n',
    );
  });

  it('halt --reducing sets the reducing-only state, and resume says it lifted that', async () => {
    const set = await cli('halt', '--config', paper, '--reducing', '--reason', 'wind down');
    expect(set.code, set.err).toBe(0);
    expect(set.out).toBe('reducing only (paper): all since 2024-05-01T12:00:00.000Z — wind down\n');
    const [stored] = await db.pool.query(
      "SELECT halted, state, reason FROM trading_halts WHERE mode = 'paper' AND scope = 'all'",
    );
    expect((stored as Record<string, unknown>[])[0]).toMatchObject({
      halted: 1,
      state: 'reducing',
      reason: 'wind down',
    });
    const lifted = await cli('resume', '--config', paper);
    expect(lifted.out).toMatch(/^lifted \(paper\): all was reducing since .* — wind down\n/);
  });

  it('halts live trading without confirmation, but resumes it only with --confirm-live', async () => {
    const secrets = ['--secrets', join(dir, 'secrets.yml')];
    const halt = await cli('halt', '--config', live, ...secrets);
    expect(halt.code, halt.err).toBe(0);
    expect(halt.out).toMatch(/^halted \(live\): all/);
    const refused = await cli('resume', '--config', live, ...secrets);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/--confirm-live/);
    expect((await rows()).find((x) => x.mode === 'live')?.halted, 'still halted').toBe(1);
    const ok = await cli('resume', '--config', live, ...secrets, '--confirm-live');
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(
      /^lifted \(live\): all was halted since .*\ntrading \(live\): not halted\n$/,
    );
    expect(halt.out + halt.err + refused.err + ok.out).not.toContain('dummy-');
  });
});
