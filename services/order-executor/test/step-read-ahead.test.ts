import { clientOrderId, type Fill, type OrderIntent, orderIntentId } from '@3t/contracts';
import { PaperBroker } from '@3t/exchange';
import { createPool, migrate } from '@3t/runtime';
import { createTestDatabase, type TestDatabase } from '@3t/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MariaDbIntentStore, MariaDbPositionStore } from '../src/mariadb-stores';
import { readAhead } from '../src/step-read-ahead';

// Real stores and the paper venue on MariaDB; the position store notes when it is asked, so the
// test sees that the read started before the step's work.
let db: TestDatabase;
let paper: PaperBroker;
const asked: string[] = [];

class NotingPositionStore extends MariaDbPositionStore {
  override positions(exchange: string) {
    asked.push('positions');
    return super.positions(exchange);
  }
}

class NotingIntentStore extends MariaDbIntentStore {
  override openIntents() {
    asked.push('openIntents');
    return super.openIntents();
  }
}

let positions: NotingPositionStore;
let intents: NotingIntentStore;
/** the same store with a multi-statement lock pool: the reads go in the lock's query */
let lockReading: NotingIntentStore;
let lockPool: ReturnType<typeof createPool>;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'oe_readahead' });
  await migrate({ ...db.connection, connectionLimit: 2 });
  paper = await PaperBroker.open({ pool: db.pool, account: 'binance', startingBalance: 10_000 });
  positions = new NotingPositionStore(db.pool, 'paper');
  intents = new NotingIntentStore(db.pool, 'paper', 'binance', db.name);
  lockPool = createPool({ ...db.connection, connectionLimit: 2 }, { multipleStatements: true });
  lockReading = new NotingIntentStore(db.pool, 'paper', 'binance', db.name, lockPool);
});
afterAll(async () => {
  await lockPool?.end();
  await db?.drop();
});

const fill = (tradeId: string, side: 'buy' | 'sell', quantity: number, price: number): Fill => ({
  v: 1,
  exchange: 'binance',
  symbol: 'BTC/USDT',
  tradeId,
  orderId: `o-${tradeId}`,
  clientOrderId: `c-${tradeId}`,
  side,
  price,
  quantity,
  exchangeTime: 1_700_000_000_000,
  receivedAt: 1_700_000_000_000,
});

const target = { exchange: 'binance', symbol: 'BTC/USDT' };

describe('readAhead (one target step)', () => {
  it('asks for the positions once the lock is held, before the work, and answers as MariaDB does', async () => {
    await positions.recordFill(fill('t1', 'buy', 2, 100));
    asked.length = 0;
    const ports = readAhead({ intents, positions, broker: paper, paper }, target);
    const seen = await ports.intents.withSymbolLock('BTC/USDT', async () => {
      asked.push('work');
      return ports.positions.positions('binance');
    });
    expect(asked).toEqual(['positions', 'openIntents', 'work']);
    expect(seen).toEqual(await positions.positions('binance'));
    expect(seen.get('BTC/USDT')?.quantity).toBe(2);
  });

  it('drops the early answer when the step records a fill, and uses an early answer once', async () => {
    const ports = readAhead({ intents, positions, broker: paper, paper }, target);
    const [afterFill, again] = await ports.intents.withSymbolLock('BTC/USDT', async () => {
      await ports.positions.recordFill(fill('t2', 'sell', 0.5, 110));
      const a = await ports.positions.positions('binance');
      // moved behind the step's back: a second read goes to MariaDB again
      await db.pool.query(
        "UPDATE positions SET quantity = 7 WHERE mode = 'paper' AND symbol = 'BTC/USDT'",
      );
      return [a, await ports.positions.positions('binance')];
    });
    expect(afterFill.get('BTC/USDT')?.quantity).toBeCloseTo(2 - 0.5, 12);
    expect(again.get('BTC/USDT')?.quantity).toBe(7);
  });

  it('reads the open intents early once, and again after an intent write of the step', async () => {
    const intentId = orderIntentId({ exchange: 'binance', symbol: 'BTC/USDT', at: 1_000 });
    const intent: OrderIntent = {
      v: 1,
      intentId,
      clientOrderId: clientOrderId(intentId),
      exchange: 'binance',
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      quantity: 1,
      targetPosition: 1,
      currentPosition: 0,
      reason: 'read-ahead test',
      basedOn: 'test',
      createdAt: 1_000,
    };
    const ports = readAhead({ intents, positions, broker: paper, paper }, target);
    const [before, after] = await ports.intents.withSymbolLock('BTC/USDT', async () => {
      const early = await ports.intents.openIntents();
      await ports.intents.insertIntent(intent, 'pending', null);
      return [early, await ports.intents.openIntents()];
    });
    expect(before.map((r) => r.intent.intentId)).not.toContain(intentId);
    expect(after.map((r) => r.intent.intentId)).toContain(intentId);
    expect(after).toEqual(await intents.openIntents());
  });

  it("answers the paper venue's price with the one the step applied, and other symbols from the venue", async () => {
    await paper.applyPrice('ETH/USDT', 20, 1_000);
    const ports = readAhead({ intents, positions, broker: paper, paper }, target);
    const prices = await ports.intents.withSymbolLock('BTC/USDT', async () => {
      await ports.paper!.applyPrice('BTC/USDT', 123.5, 5_000);
      return [await ports.broker.fetchPrice('BTC/USDT'), await ports.broker.fetchPrice('ETH/USDT')];
    });
    expect(prices).toEqual([123.5, 20]);
    // an older price applied later does not move the venue's: the early read says what it has
    const older = readAhead({ intents, positions, broker: paper, paper }, target);
    const price = await older.intents.withSymbolLock('BTC/USDT', async () => {
      await older.paper!.applyPrice('BTC/USDT', 99, 4_000);
      return older.broker.fetchPrice('BTC/USDT');
    });
    expect(price).toBe(123.5);
  });

  it('answers the same price from a venue without applyPriceRead (one read after the write)', async () => {
    const plain = { applyPrice: (s: string, p: number, at: number) => paper.applyPrice(s, p, at) };
    const ports = readAhead({ intents, positions, broker: paper, paper: plain }, target);
    const price = await ports.intents.withSymbolLock('BTC/USDT', async () => {
      await ports.paper!.applyPrice('BTC/USDT', 130.25, 9_000);
      return ports.broker.fetchPrice('BTC/USDT');
    });
    expect(price).toBe(130.25);
    expect(await paper.fetchPrice('BTC/USDT')).toBe(130.25);
  });

  it('with a lock pool, reads the open intents and positions in the query that takes the lock', async () => {
    asked.length = 0;
    const ports = readAhead({ intents: lockReading, positions, broker: paper, paper }, target);
    const lockName = `3t.${db.name}.paper.BTC/USDT`.slice(0, 64);
    const holder = async () => {
      const [rows] = await db.pool.query('SELECT IS_USED_LOCK(?) AS c', [lockName]);
      return (rows as { c: number | null }[])[0]?.c ?? null;
    };
    const [seenPositions, seenOpen, heldBy] = await ports.intents.withSymbolLock(
      'BTC/USDT',
      async () => {
        asked.push('work');
        return [
          await ports.positions.positions('binance'),
          await ports.intents.openIntents(),
          await holder(),
        ] as const;
      },
    );
    expect(asked, 'no read of its own: both came with the lock').toEqual(['work']);
    expect(seenPositions).toEqual(await positions.positions('binance'));
    expect(seenOpen).toEqual(await intents.openIntents());
    expect(heldBy, 'the lock was held while the step ran').not.toBeNull();
    for (let i = 0; i < 100 && (await holder()) !== null; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await holder(), 'released after the step').toBeNull();
  });

  it('frees the symbol lock when a read sent with it fails after GET_LOCK granted it', async () => {
    const lockName = `3t.${db.name}.paper.ETH/USDT`.slice(0, 64);
    const holder = async () => {
      const [rows] = await db.pool.query('SELECT IS_USED_LOCK(?) AS c', [lockName]);
      return (rows as { c: number | null }[])[0]?.c ?? null;
    };
    let ran = false;
    await expect(
      lockReading.withSymbolLockReading(
        'ETH/USDT',
        'binance',
        async () => {
          ran = true;
        },
        // GET_LOCK is granted, then the query fails: the lock must not stay with the connection
        { sql: 'SELECT * FROM no_such_table', values: [] },
      ),
    ).rejects.toThrow(/no_such_table/);
    expect(ran, 'no work without the reads').toBe(false);
    for (let i = 0; i < 100 && (await holder()) !== null; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await holder(), 'no connection left holding the lock').toBeNull();
  });

  it("sends the paper venue's price state with the lock and applies the step's price with it", async () => {
    const held = await PaperBroker.open({
      pool: db.pool,
      account: 'binance',
      startingBalance: 10_000,
      priceWriteMs: 60_000,
    });
    const stateAsked: string[] = [];
    const feed = {
      priceState: (symbol: string) => {
        stateAsked.push(symbol);
        return held.priceState(symbol);
      },
      applyPriceRead: (...args: Parameters<PaperBroker['applyPriceRead']>) => {
        stateAsked.push(args[3] ? 'with state' : 'without state');
        return held.applyPriceRead(...args);
      },
      applyPrice: (s: string, p: number, at: number) => held.applyPrice(s, p, at),
    };
    for (const [price, at, expected] of [
      [140.5, 20_000, 140.5],
      [139, 19_000, 140.5],
      [141, 21_000, 141],
    ] as const) {
      const ports = readAhead(
        { intents: lockReading, positions, broker: held, paper: feed },
        target,
      );
      const seen = await ports.intents.withSymbolLock('BTC/USDT', async () => {
        await ports.paper!.applyPrice('BTC/USDT', price, at);
        return ports.broker.fetchPrice('BTC/USDT');
      });
      expect(seen, `price ${price} at ${at}`).toBe(expected);
      expect(await held.fetchPrice('BTC/USDT'), `the venue, price ${price} at ${at}`).toBe(
        expected,
      );
    }
    expect(stateAsked).toEqual([
      'BTC/USDT',
      'with state',
      'BTC/USDT',
      'with state',
      'BTC/USDT',
      'with state',
    ]);
    await held.close();
  });
});
