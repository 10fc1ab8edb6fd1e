import { Ensemble } from '@3t/handlers';
import { accountEquityReader, migrate } from '@3t/runtime';
import { createTestDatabase, type TestDatabase } from '@3t/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MariaDbSnapshotStore } from '../src/snapshot-store';

// strategy-runner's two MariaDB reads at the heart of a restart and of the epochs, on the real
// server: the saved ensemble, and the account equity order-executor writes.
let db: TestDatabase;
type Pool = ConstructorParameters<typeof MariaDbSnapshotStore>[0];
const pool = () => db.pool as unknown as Pool;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'sr_state' });
  await migrate({ ...db.connection, connectionLimit: 2 });
});
afterAll(async () => {
  await db?.drop();
});

const OPTIONS = {
  exchange: 'binanceus',
  symbols: [{ symbol: 'BTC/USDT', maxLeverage: 3 }],
  seed: 9,
  providence: { runCount: 40 },
};

describe('MariaDbSnapshotStore', () => {
  it('loads what it saved, compressed, and a later save replaces it', async () => {
    const store = new MariaDbSnapshotStore(pool(), 'paper');
    expect(await store.load('binanceus')).toBeNull();
    const ensemble = new Ensemble(OPTIONS);
    const bytes = await store.save(ensemble.snapshot(), 1_000);
    const json = JSON.stringify(ensemble.snapshot()).length;
    expect(bytes).toBeLessThan(json / 2);
    const again = await store.save(ensemble.snapshot(), 2_000);
    const loaded = await store.load('binanceus');
    expect(loaded).toEqual({ snapshot: ensemble.snapshot(), takenAt: 2_000, bytes: again });
    expect(new Ensemble(OPTIONS).restore(loaded!.snapshot)).toEqual({ restored: true });
    // paper and live keep their own
    expect(await new MariaDbSnapshotStore(pool(), 'live').load('binanceus')).toBeNull();
  });

  it('names the table when a row does not decode or is not a snapshot', async () => {
    const store = new MariaDbSnapshotStore(pool(), 'paper');
    await db.pool.query(
      "INSERT INTO strategy_snapshots (mode, exchange, seed, taken_at, snapshot) VALUES ('paper', 'kraken', 1, 1, 'not gzip')",
    );
    await expect(store.load('kraken')).rejects.toThrow(
      /strategy_snapshots row of paper\/kraken does not decode/,
    );
    const { gzipSync } = await import('node:zlib');
    await db.pool.query(
      "INSERT INTO strategy_snapshots (mode, exchange, seed, taken_at, snapshot) VALUES ('paper', 'bitstamp', 1, 1, ?)",
      [gzipSync(JSON.stringify({ version: 2 }))],
    );
    await expect(store.load('bitstamp')).rejects.toThrow(
      /strategy_snapshots row of paper\/bitstamp is not an ensemble snapshot/,
    );
  });
});

describe('accountEquityReader', () => {
  it('reads the equity order-executor wrote, and nothing when it is missing or stale', async () => {
    let now = 10_000_000;
    const read = accountEquityReader(pool(), 'paper', 'binanceus', 60_000, () => now);
    expect(await read()).toBeNull();
    await db.pool.query(
      "INSERT INTO account_equity (mode, exchange, equity, as_of) VALUES ('paper', 'binanceus', '10234.500000000000000001', ?)",
      [now - 1_000],
    );
    expect(await read()).toBeCloseTo(10_234.5, 9);
    now += 60_000;
    expect(await read(), 'older than the max age').toBeNull();
    expect(
      await accountEquityReader(pool(), 'live', 'binanceus', 60_000, () => now)(),
      'another mode',
    ).toBeNull();
  });
});
