import { attemptClientOrderId, isOwnClientOrderId, orderIntentId } from '@3t/contracts';
import { CcxtExchange } from '@3t/exchange';
import {
  executeIntent,
  type HandleTargetDeps,
  handleTarget,
  newOrderExecutorState,
  reconcile,
  runOrderStep,
  systemClock,
} from '@3t/handlers';
import { FakeExchange, fakeBinanceClient } from '@3t/test-support';
import type { RowDataPacket } from 'mysql2/promise';
import { afterEach, describe, expect, it } from 'vitest';
import { MariaDbIntentStore, MariaDbPositionStore } from '../src/mariadb-stores';
import { TEST_SETTINGS, testTarget, useExecutorDatabase } from './support/executor-database';

// sizing.order_type: alo (issue 15): post-only limit orders at the touch, as upstream places its
// orders, against the fake Binance through the real ccxt class and the MariaDB stores. A refusal
// as crossing (-2010 "Order would immediately match and take.") is re-priced at the new touch and
// placed under the intent's next client id; the venue's own ledger proves nothing is doubled.
const SYMBOL = 'BTC/USDT';
// the fake derives BTC/USDT's tick from its first price: 100 → 0.0001; 2 ticks each side
const TICK = 0.0001;
const SPREAD_TICKS = 2;
const database = useExecutorDatabase('oe_alo');
let fake: FakeExchange;
const brokers: CcxtExchange[] = [];

afterEach(async () => {
  for (const b of brokers.splice(0)) await b.close();
  await fake?.close();
});

async function venue(postOnlyCrossings: number) {
  fake = await FakeExchange.start({
    markets: [{ symbol: SYMBOL, price: '100' }],
    balances: { USDT: '1000000' },
    spreadTicks: SPREAD_TICKS,
    postOnlyCrossings,
    // a timed-out request stays silent longer than the client waits (2 s)
    holdMs: 2_500,
  });
}

/** order-executor with sizing.order_type alo: its own ccxt client, the MariaDB stores. */
function aloDeps(owner: string, aloMaxReprices: number, reconcileSeconds = 0): HandleTargetDeps {
  const broker = new CcxtExchange(fakeBinanceClient(fake.url, { timeout: 2_000 }));
  brokers.push(broker);
  return {
    intents: new MariaDbIntentStore(database.db.pool, 'paper', 'binance', database.db.name),
    positions: new MariaDbPositionStore(database.db.pool, 'paper'),
    broker,
    clock: systemClock,
    backoffMs: 50,
    safety: {
      owner,
      claimMs: 10_000,
      lookupGraceMs: 2_000,
      lookups: 2,
      maxIntentAgeMs: 3_600_000,
      aloMaxReprices,
    },
    settings: {
      ...TEST_SETTINGS,
      sizing: { ...TEST_SETTINGS.sizing, order_type: 'alo' },
      reconcileSeconds,
      leverage: {},
      maxTargetAgeMs: 3_600_000,
    },
    state: newOrderExecutorState(),
  };
}

const buyTarget = (at: number) => testTarget({ at, reason: 'alo vote' });

const placements = () => fake.state().placements;
const venueFilled = () => Number(fake.ledger()[SYMBOL]?.filled ?? 0);

async function intentRow(intentId: string) {
  const [rows] = await database.db.pool.query<RowDataPacket[]>(
    'SELECT status, status_reason, reprices, quantity FROM order_intents WHERE intent_id = ?',
    [intentId],
  );
  return rows[0]!;
}

describe('sizing.order_type alo against the fake Binance (ccxt)', () => {
  it('a post-only order refused as crossing is re-priced and the second client id of the intent fills, once', async () => {
    await venue(1);
    const deps = aloDeps('alo', 3);
    const at = Date.now() - 1_000;
    const outcome = await handleTarget(buyTarget(at), deps);
    expect(outcome.action, JSON.stringify(outcome)).toBe('order');
    const intentId = orderIntentId({ exchange: 'binance', symbol: SYMBOL, at });
    const ids = [0, 1].map((n) => attemptClientOrderId(intentId, n));
    const bid = (100 - SPREAD_TICKS * TICK).toFixed(4);
    // the venue saw the first id refused as crossing, then the second one accepted, both as
    // post-only buys at the best bid
    expect(
      placements().map((p) => [p.clientOrderId, p.type, p.price, p.outcome, p.error?.code]),
    ).toEqual([
      [ids[0], 'LIMIT_MAKER', bid, 'rejected', -2010],
      [ids[1], 'LIMIT_MAKER', bid, 'accepted', undefined],
    ]);
    expect(ids[0], 'a new client id per attempt').not.toBe(ids[1]);
    expect(ids.every(isOwnClientOrderId), '3T still recognises its re-priced ids').toBe(true);
    const resting = await intentRow(intentId);
    expect([resting.status, Number(resting.reprices)]).toEqual(['submitted', 1]);
    expect(resting.status_reason).toBeNull();

    // the market trades down through the bid: the resting order fills at its limit (maker)
    fake.setPrice(SYMBOL, '99.9');
    const record = await deps.intents.getIntent(intentId);
    const settled = await executeIntent(record!, deps, { waitForLookups: true });
    expect(settled.status, JSON.stringify(settled)).toBe('filled');
    const quantity = Number(resting.quantity);
    expect(venueFilled(), 'the venue filled the intent quantity once').toBeCloseTo(quantity, 12);
    expect((await deps.positions.position('binance', SYMBOL)).quantity).toBeCloseTo(quantity, 12);
    const [fills] = await database.db.pool.query<RowDataPacket[]>(
      'SELECT client_order_id, quantity, price FROM fills',
    );
    expect(fills.map((f) => [f.client_order_id, Number(f.quantity), Number(f.price)])).toEqual([
      [ids[1], quantity, Number(bid)],
    ]);

    // a reconciliation pass finds the attempt's order, places nothing and sees no difference
    const before = placements().length;
    const pass = await reconcile(aloDeps('recon', 3), { trigger: 'manual', symbols: [SYMBOL] });
    expect(pass.differences.filter((d) => d.kind !== 'skipped')).toEqual([]);
    expect(placements().length, 'no placement by reconciliation').toBe(before);
  });

  it('a timeout on the re-priced attempt is not a refusal: the attempt is looked up by its id, not re-priced or placed again', async () => {
    await venue(1);
    // spent by the refused first attempt (the venue refuses before any fault can fire) and then
    // by the second: accepted, but the answer never comes
    fake.inject({ kind: 'timeout-after-accept', times: 2 });
    const deps = aloDeps('timeout', 3);
    const at = Date.now() - 1_000;
    const outcome = await handleTarget(buyTarget(at), deps);
    expect(outcome.action === 'order' && outcome.outcome.status, JSON.stringify(outcome)).toBe(
      'submitted',
    );
    const intentId = orderIntentId({ exchange: 'binance', symbol: SYMBOL, at });
    const ids = [0, 1].map((n) => attemptClientOrderId(intentId, n));
    expect(placements().map((p) => [p.clientOrderId, p.outcome, p.fault])).toEqual([
      [ids[0], 'rejected', undefined],
      [ids[1], 'accepted', 'timeout-after-accept'],
    ]);
    const row = await intentRow(intentId);
    expect([row.status, Number(row.reprices)]).toEqual(['submitted', 1]);
    fake.setPrice(SYMBOL, '99.9');
    const settled = await executeIntent((await deps.intents.getIntent(intentId))!, deps);
    expect(settled.status).toBe('filled');
    expect(placements(), 'nothing placed after the timeout').toHaveLength(2);
    expect(venueFilled()).toBeCloseTo(Number(row.quantity), 12);
  });

  it('after orders.alo_max_reprices re-prices the intent ends rejected with the reason', async () => {
    await venue(10);
    const deps = aloDeps('bound', 2);
    const at = Date.now() - 1_000;
    const outcome = await handleTarget(buyTarget(at), deps);
    expect(outcome.action === 'order' && outcome.outcome.status).toBe('rejected');
    const intentId = orderIntentId({ exchange: 'binance', symbol: SYMBOL, at });
    expect(placements().map((p) => [p.clientOrderId, p.outcome])).toEqual(
      [0, 1, 2].map((n) => [attemptClientOrderId(intentId, n), 'rejected']),
    );
    const row = await intentRow(intentId);
    expect([row.status, Number(row.reprices)]).toEqual(['rejected', 2]);
    expect(row.status_reason).toMatch(
      /^would-cross: would cross the book after 2 re-prices \(orders\.alo_max_reprices 2\)/,
    );
    expect(venueFilled()).toBe(0);
  });

  it('an unfilled post-only order is cancelled at the next decision of its symbol, as upstream', async () => {
    await venue(0);
    const reconcileSeconds = 600;
    const deps = aloDeps('resting', 3, reconcileSeconds);
    const first = Date.now() - 700_000;
    let now = first;
    const step = (at: number) => {
      now = at;
      return runOrderStep(buyTarget(at), { ...deps, marketNow: () => now });
    };
    const placed = await step(first);
    expect(placed.outcome.action, JSON.stringify(placed.outcome)).toBe('order');
    const intentId = orderIntentId({ exchange: 'binance', symbol: SYMBOL, at: first });
    expect((await intentRow(intentId)).status).toBe('submitted');
    // a target before the next decision leaves it resting
    await step(first + 60_000);
    expect((await intentRow(intentId)).status).toBe('submitted');
    // the next decision: the resting order is cancelled first, then a new one is placed
    const next = await step(first + reconcileSeconds * 1000);
    expect((await intentRow(intentId)).status).toBe('cancelled');
    const orders = fake.state().orders;
    expect(orders.find((o) => o.clientOrderId === attemptClientOrderId(intentId, 0))?.status).toBe(
      'CANCELED',
    );
    expect(next.outcome.action, JSON.stringify(next.outcome)).toBe('order');
    expect(orders.filter((o) => o.status === 'NEW')).toHaveLength(1);
    expect(venueFilled()).toBe(0);
  });
});
