import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/index';
import { captureIo } from './helpers/capture-io';

const SECRET = 'sk-live-9f8e7d6c5b4a3210';
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), '3t-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function files(config: string, secrets?: string): string[] {
  writeFileSync(join(dir, 'config.yml'), config);
  const args = [
    'config',
    'check',
    '--config',
    join(dir, 'config.yml'),
    '--secrets',
    join(dir, 'secrets.yml'),
  ];
  if (secrets !== undefined) {
    writeFileSync(join(dir, 'secrets.yml'), secrets);
    chmodSync(join(dir, 'secrets.yml'), 0o600);
  }
  return args;
}

async function check(args: string[]) {
  const io = captureIo({ cwd: dir, env: {} });
  const code = await runCli(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

describe('3t config check (runtime loader)', () => {
  it('prints "config ok" with mode, exchange, symbols and which secrets are set, never their values', async () => {
    const r = await check(
      files(
        'mode: paper\nexchange:\n  id: binance\n  symbols: [BTC/USDT, ETH/USDT]\nprovidence:\n  run_count: 500\n  seed: 9\n',
        `exchange:\n  api_key: ${SECRET}\n  secret: ${SECRET}-2\nmariadb:\n  password: ${SECRET}-db\n`,
      ),
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^config ok: .*config\.yml/);
    expect(r.out).toMatch(/mode: +paper \(simulated broker/);
    expect(r.out).toMatch(/exchange: +binance/);
    expect(r.out).toMatch(/symbols: +BTC\/USDT, ETH\/USDT \(1m candles\)/);
    expect(r.out).toMatch(/providence: 500 runs, seed 9/);
    expect(r.out).toContain(
      'set: exchange.api_key, exchange.secret, mariadb.password (values not shown)',
    );
    expect(r.out + r.err, 'no secret value anywhere').not.toContain(SECRET);
  });

  it('lists every problem with file, line, key and fix, and exits 1', async () => {
    const r = await check(
      files(
        'mode: paper\nexchange:\n  idd: binance\nrisk:\n  max_order_notional: -5\n',
        `exchange:\n  api_key: 12345\n  secretz: ${SECRET}\n`,
      ),
    );
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/config check failed: invalid configuration \(4 problems\)/);
    expect(r.err).toMatch(
      /config\.yml:3:\d+ exchange\.idd: unknown key — fix: did you mean `id`\?/,
    );
    expect(r.err).toMatch(/config\.yml:5:\d+ risk\.max_order_notional: .* — fix: use a value > 0/);
    expect(r.err).toMatch(/secrets\.yml:\d+:\d+ exchange\.api_key: .*expected string/);
    expect(r.err).toMatch(/secrets\.yml:\d+:\d+ exchange\.secretz: unknown key/);
    expect(r.err, 'no secret value in the problems').not.toContain(SECRET);
  });

  it('refuses mode: live without --confirm-live, and accepts it confirmed', async () => {
    const args = files(
      'mode: live\nexchange:\n  id: binance\n',
      `exchange:\n  api_key: ${SECRET}\n  secret: ${SECRET}\n`,
    );
    const refused = await check(args);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/mode: `live` places real orders .* --confirm-live/);
    const ok = await check([...args, '--confirm-live']);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/mode: +live \(REAL ORDERS, confirmed\)/);
    expect(ok.out + ok.err).not.toContain(SECRET);
  });

  it('reports a missing config.yml as a problem with the fix', async () => {
    const r = await check(['config', 'check', '--config', join(dir, 'nope.yml')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/nope\.yml file not found — fix: copy config\.yml\.example/);
  });
});
