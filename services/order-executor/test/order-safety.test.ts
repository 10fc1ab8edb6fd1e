import {
  clientOrderId,
  ExchangePortError,
  type OrderIntent,
  orderIntentId,
  type Target,
} from '@3t/contracts';
import { CcxtExchange, clientIdCodecFor } from '@3t/exchange';
import {
  type ExecuteDeps,
  executeIntent,
  type HandleTargetDeps,
  handleTarget,
  newOrderExecutorState,
  type OrderSafety,
  reconcile,
  systemClock,
} from '@3t/handlers';
import { migrate, writeTradingHalt } from '@3t/runtime';
import {
  createTestDatabase,
  FakeExchange,
  type FakeExchangeOptions,
  fakeBinanceClient,
  fakeHyperliquidClient,
  startFakeHyperliquid,
  type TestDatabase,
} from '@3t/test-support';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MariaDbIntentStore, MariaDbPositionStore } from '../src/mariadb-stores';
import { TEST_SETTINGS, testTarget } from './support/executor-database';

// Issue 12: each finding reproduced on main d21ad11 against the fake Binance through the real
// ccxt class and the MariaDB stores, now held by the order path. Findings 5 and 6 (fees) are in
// fees-any-currency.test.ts. Issue 15: the same suite against the fake Hyperliquid (perpetuals,
// cloids, no market orders) through ccxt's hyperliquid class.

/** What differs between the venues the suite runs on. */
interface VenueSpec {
  readonly exchange: 'binance' | 'hyperliquid';
  readonly symbol: string;
  readonly start: (options: FakeExchangeOptions) => Promise<FakeExchange>;
  readonly client: (url: string) => CcxtExchange['ccxt'];
  readonly cash: string;
  /** A small limit order's quantity at prices 50–60 (Hyperliquid's minimum order is $10). */
  readonly small: number;
  /** The client id of an order someone else placed on the account. */
  readonly foreignId: string | undefined;
  /** Puts a holding of `quantity` on the account as if bought before 3T ran. */
  hold(fake: FakeExchange, quantity: string): void;
}

const BINANCE: VenueSpec = {
  exchange: 'binance',
  symbol: 'BTC/USDT',
  start: (o) => FakeExchange.start(o),
  client: (url) => fakeBinanceClient(url, { timeout: 1_000 }),
  cash: 'USDT',
  small: 0.1,
  foreignId: undefined,
  hold: (fake, quantity) => fake.venue.setBalance('BTC', quantity),
};

const HYPERLIQUID: VenueSpec = {
  exchange: 'hyperliquid',
  symbol: 'BTC/USDC:USDC',
  start: startFakeHyperliquid,
  client: (url) => fakeHyperliquidClient(url, { timeout: 1_000 }),
  cash: 'USDC',
  small: 0.2,
  // another bot's cloid: random digits, not 3T's check
  foreignId: '0x5f2c0e8a91b34d7c6a0e1f9b2d8c7a35',
  hold: (fake, quantity) => {
    const p = fake.venue.position('BTC');
    p.size = quantity;
    p.entryPrice = '100';
  },
};

let spec: VenueSpec = BINANCE;
let db: TestDatabase;
let fake: FakeExchange;
const brokers: CcxtExchange[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ label: 'oe_safety' });
  await migrate({ ...db.connection, connectionLimit: 2 });
});
afterEach(async () => {
  for (const b of brokers.splice(0)) await b.close();
  await fake?.close();
  for (const table of ['order_intents', 'orders', 'fills', 'positions', 'trading_halts']) {
    await db.pool.query(`DELETE FROM ${table}`);
  }
  await db.pool.query('DELETE FROM account_baselines').catch(() => undefined);
});
afterAll(async () => {
  await db?.drop();
});

async function venue(options: Partial<FakeExchangeOptions> & { held?: string } = {}) {
  const { held, ...rest } = options;
  fake = await spec.start({
    markets: [{ symbol: spec.symbol, price: '100' }],
    balances: { [spec.cash]: '1000000' },
    holdMs: 1_500,
    ...rest,
  });
  if (held !== undefined) spec.hold(fake, held);
}

// The lookup window must exceed the venue's lookup lag plus the time a request may take to reach
// it (bounded by Binance's recvWindow): 5 s here against a lag of at most 3 s and 1.5 s in flight.
const SAFETY: Omit<OrderSafety, 'owner'> = {
  claimMs: 10_000,
  lookupGraceMs: 5_000,
  lookups: 3,
  maxIntentAgeMs: 120_000,
};

/** One order-executor process: its own ccxt client, stores and claim owner; the same database. */
function executor(owner: string, safety: Partial<OrderSafety> = {}): ExecuteDeps {
  const broker = new CcxtExchange(spec.client(fake.url));
  brokers.push(broker);
  return {
    intents: new MariaDbIntentStore(db.pool, 'paper', spec.exchange, db.name),
    positions: new MariaDbPositionStore(db.pool, 'paper'),
    broker,
    clock: systemClock,
    backoffMs: 50,
    safety: { ...SAFETY, owner, ...safety },
  };
}

let seq = 0;
function newIntent(overrides: Partial<OrderIntent> = {}): OrderIntent {
  const intentId = orderIntentId({
    exchange: spec.exchange,
    symbol: spec.symbol,
    at: Date.now() + seq++,
  });
  return {
    v: 1,
    intentId,
    clientOrderId: clientOrderId(intentId),
    exchange: spec.exchange,
    symbol: spec.symbol,
    side: 'buy',
    type: 'market',
    quantity: 1,
    targetPosition: 1,
    currentPosition: 0,
    reason: 'order safety test',
    basedOn: 'test',
    createdAt: Date.now(),
    ...overrides,
  };
}

/** How the venue spells one of our client order ids (Hyperliquid: a cloid). */
function atVenue(id: string): string {
  return clientIdCodecFor(spec.exchange).encode(id);
}

function accepted(id: string): number {
  return fake
    .state()
    .placements.filter((p) => p.clientOrderId === atVenue(id) && p.outcome === 'accepted').length;
}

/** Base units the venue filled for our account on the symbol (its own ledger). */
function venueFilled(): number {
  return Number(fake.ledger()[spec.symbol]?.filled ?? 0);
}

async function status(intentId: string): Promise<string | undefined> {
  const [rows] = await db.pool.query<RowDataPacket[]>(
    'SELECT status FROM order_intents WHERE intent_id = ?',
    [intentId],
  );
  return rows[0]?.['status'] as string | undefined;
}

async function halt(scope: string, state: 'halted' | 'reducing' | null) {
  await writeTradingHalt(db.pool, {
    mode: 'paper',
    scope,
    state,
    reason: 'order safety test',
    changedAt: Date.now(),
  });
}

/** Every finding's tests on one venue. */
function orderSafetySuite(venueSpec: VenueSpec): void {
  beforeAll(() => {
    spec = venueSpec;
  });

  describe('finding 1: one client order id is never placed twice', () => {
    it('a slow placement and a reconciliation pass at once: the pass finds the intent claimed and places nothing', async () => {
      await venue({ orderLookupLagMs: 3_000 });
      fake.inject({ kind: 'latency', endpoint: 'newOrder', ms: 1_500, times: 1 });
      const worker = executor('worker');
      const other = executor('reconciler');
      const intent = newIntent();
      const record = await worker.intents.insertIntent(intent, 'pending', null);
      const placing = executeIntent(record, worker, { waitForLookups: true });
      await new Promise((r) => setTimeout(r, 300));
      const pass = await reconcile(other, { trigger: 'scheduled', symbols: [spec.symbol] });
      const outcome = await placing;
      expect(outcome.status, JSON.stringify(outcome)).toBe('filled');
      expect(pass.differences.map((d) => d.kind)).toContain('claimed');
      expect(accepted(intent.clientOrderId), 'accepted at the venue').toBe(1);
      expect(venueFilled(), 'the venue filled 1 BTC for a 1 BTC intent').toBe(1);
      expect((await worker.positions.position(spec.exchange, spec.symbol)).quantity).toBe(1);
    });

    it('two executors on one intent: one places, the other is told it is claimed', async () => {
      await venue({ orderLookupLagMs: 3_000 });
      fake.inject({ kind: 'latency', endpoint: 'newOrder', ms: 1_000, times: 1 });
      const a = executor('a');
      const b = executor('b');
      const intent = newIntent();
      const record = await a.intents.insertIntent(intent, 'pending', null);
      const [ra, rb] = await Promise.all([
        executeIntent(record, a, { waitForLookups: true }),
        new Promise((r) => setTimeout(r, 200)).then(() =>
          executeIntent(record, b, { waitForLookups: true }),
        ),
      ]);
      expect([ra.status, rb.status].sort()).toEqual(['busy', 'filled']);
      expect(accepted(intent.clientOrderId)).toBe(1);
      expect(venueFilled()).toBe(1);
    });

    it('an accepted order that answers "not found" for 1.5 s after a timeout is found, not placed again', async () => {
      await venue({ orderLookupLagMs: 1_500 });
      fake.inject({ kind: 'timeout-after-accept', times: 1 });
      const deps = executor('solo');
      const intent = newIntent();
      const record = await deps.intents.insertIntent(intent, 'pending', null);
      const outcome = await executeIntent(record, deps, { waitForLookups: true });
      expect(outcome.status, JSON.stringify(outcome)).toBe('filled');
      expect(accepted(intent.clientOrderId)).toBe(1);
      expect(venueFilled()).toBe(1);
    });

    it('an order the venue once answered for is never placed again when it stops finding it', async () => {
      await venue();
      const deps = executor('seen', { lookupGraceMs: 600 });
      const intent = newIntent({ type: 'limit', limitPrice: 50, quantity: spec.small });
      const first = await executeIntent(
        await deps.intents.insertIntent(intent, 'pending', null),
        deps,
      );
      expect(first.status, 'a resting limit order').toBe('submitted');
      // the order is cancelled behind our back and the venue's lookups now lag for a minute:
      // its client id is free again and every lookup answers "not found"
      await deps.broker.cancelOrder(spec.symbol, intent.clientOrderId);
      fake.configure({ orderLookupLagMs: 60_000 });
      const again = await deps.intents.getIntent(intent.intentId);
      expect(again?.seenAtExchange).toBe(true);
      const outcome = await executeIntent(again!, deps, { waitForLookups: true });
      expect(outcome.status).toBe('halted');
      expect(await status(intent.intentId)).toBe('unknown');
      expect(accepted(intent.clientOrderId), 'placed once').toBe(1);
    });

    it('a state change is a compare-and-set: a writer without the claim changes nothing', async () => {
      await venue();
      const deps = executor('holder');
      const intent = newIntent();
      await deps.intents.insertIntent(intent, 'pending', null);
      const claimed = await deps.intents.claimIntent(intent.intentId, 'holder', Date.now(), 10_000);
      expect(claimed?.claimOwner).toBe('holder');
      expect(await deps.intents.claimIntent(intent.intentId, 'intruder', Date.now(), 10_000)).toBe(
        null,
      );
      const moved = await deps.intents.transition(intent.intentId, 'pending', 'intruder', 0, {
        status: 'submitted',
      });
      expect(moved, 'no claim, no write').toBe(false);
      const wrongFrom = await deps.intents.transition(intent.intentId, 'submitted', 'holder', 0, {
        status: 'filled',
      });
      expect(wrongFrom, 'not in the expected status, no write').toBe(false);
      expect(await status(intent.intentId)).toBe('pending');
    });
  });

  describe('finding 2: the kill switch stops the outbox', () => {
    it('with the `all` halt set, start reconciliation places no pending intent', async () => {
      await venue();
      const deps = executor('start');
      const intents = [newIntent(), newIntent({ side: 'buy', quantity: 2 })];
      for (const i of intents) await deps.intents.insertIntent(i, 'pending', null);
      await halt('all', 'halted');
      await reconcile(deps, { trigger: 'start', symbols: [spec.symbol] });
      expect(fake.state().placements, 'nothing reached the venue').toEqual([]);
      for (const i of intents) expect(await status(i.intentId)).toBe('denied');
    });

    it('an unknown exchange error leaves the intent `unknown`: never placed again, even after resume', async () => {
      await venue({ orderLookupLagMs: 2_000 });
      const deps = executor('unknown');
      // the venue accepted, then answered something no error kind covers
      const real = deps.broker;
      const broker: typeof real = Object.create(real);
      broker.placeOrder = async (request) => {
        await real.placeOrder(request);
        throw new ExchangePortError('unknown', 'unreadable answer after the order was sent');
      };
      const unknownDeps = { ...deps, broker };
      const intent = newIntent();
      const record = await deps.intents.insertIntent(intent, 'pending', null);
      const first = await executeIntent(record, unknownDeps);
      expect(first.status).toBe('halted');
      expect(await status(intent.intentId)).toBe('unknown');
      expect((await deps.intents.halts()).get(spec.symbol)?.state).toBe('halted');
      await halt(spec.symbol, null); // the operator resumes at once, while the venue still lags
      const again = await deps.intents.getIntent(intent.intentId);
      await executeIntent(again!, deps, { waitForLookups: true });
      expect(accepted(intent.clientOrderId), 'placed once').toBe(1);
      await new Promise((r) => setTimeout(r, 2_100));
      await reconcile(deps, { trigger: 'manual', symbols: [spec.symbol] });
      expect(await status(intent.intentId), 'found once the venue answers').toBe('filled');
      expect(venueFilled()).toBe(1);
    });

    it('the `reducing` state places an order that reduces and denies one that adds', async () => {
      await venue();
      const deps = executor('reducing');
      const buy = newIntent();
      await executeIntent(await deps.intents.insertIntent(buy, 'pending', null), deps);
      expect((await deps.positions.position(spec.exchange, spec.symbol)).quantity).toBe(1);
      await halt('all', 'reducing');
      const add = newIntent({ quantity: 0.5 });
      const reduce = newIntent({ side: 'sell', quantity: 0.5 });
      const added = await executeIntent(
        await deps.intents.insertIntent(add, 'pending', null),
        deps,
      );
      const reduced = await executeIntent(
        await deps.intents.insertIntent(reduce, 'pending', null),
        deps,
      );
      expect(added.status).toBe('denied');
      expect(reduced.status).toBe('filled');
      expect((await deps.positions.position(spec.exchange, spec.symbol)).quantity).toBe(0.5);
    });
  });

  describe('finding 3: nothing old is traded', () => {
    it('an intent decided 6 hours ago and never sent is expired at start, not placed', async () => {
      await venue();
      const deps = executor('start');
      const old = newIntent({ createdAt: Date.now() - 6 * 3_600_000 });
      await deps.intents.insertIntent(old, 'pending', null);
      await reconcile(deps, { trigger: 'start', symbols: [spec.symbol] });
      expect(fake.state().placements).toEqual([]);
      expect(await status(old.intentId)).toBe('expired');
      const [rows] = await db.pool.query<RowDataPacket[]>(
        'SELECT status_reason FROM order_intents WHERE intent_id = ?',
        [old.intentId],
      );
      expect(rows[0]?.['status_reason']).toMatch(/max_intent_age_seconds/);
    });

    it('a target older than its candle interval plus the bound is dropped, not traded', async () => {
      await venue();
      const deps = targetDeps('old-target');
      const outcome = await handleTarget(target({ at: Date.now() - 10 * 60_000 }), deps);
      expect(outcome).toMatchObject({ action: 'dropped' });
      expect(fake.state().placements).toEqual([]);
    });
  });

  describe('finding 4: risk is priced by the venue', () => {
    it('a target carrying price 0.01 while the venue trades at 100 is denied by max_price_deviation', async () => {
      await venue();
      const deps = targetDeps('forged');
      const outcome = await handleTarget(target({ price: 0.01, position: 20 }), deps);
      expect(outcome).toMatchObject({ action: 'denied', rule: 'max_price_deviation' });
      expect(fake.state().placements).toEqual([]);
    });

    it('limits use the venue price: an order is cut to max_order_notional at the venue price', async () => {
      await venue();
      const deps = targetDeps('priced');
      const outcome = await handleTarget(target({ price: 98, position: 40 }), deps);
      expect(outcome.action, JSON.stringify(outcome)).toBe('order');
      const [placed] = fake.state().placements;
      expect(Number(placed?.quantity) * 100).toBeLessThanOrEqual(250 + 1e-9);
    });
  });

  describe('sizing.trading_calendar', () => {
    it('takes no decision while the calendar says closed (a Saturday), and trades on a Monday', async () => {
      await venue();
      const base = targetDeps('calendar');
      const calendar = {
        ...base.settings,
        sizing: { ...base.settings.sizing, trading_calendar: true },
      };
      const saturday = Date.UTC(2026, 11, 5, 12); // Saturday 5 December 2026, 13:00 in Rome
      const closed = await handleTarget(target({ at: saturday, computedAt: saturday }), {
        ...base,
        settings: calendar,
        marketNow: () => saturday,
      });
      expect(closed).toMatchObject({ action: 'skipped' });
      expect(closed.action === 'skipped' && closed.reason).toMatch(/market closed \(weekend\)/);
      expect(fake.state().placements).toEqual([]);
      const monday = Date.UTC(2026, 11, 7, 12);
      const open = await handleTarget(target({ at: monday, computedAt: monday }), {
        ...base,
        settings: calendar,
        marketNow: () => monday,
      });
      expect(open.action, JSON.stringify(open)).toBe('order');
    });
  });

  describe('finding 7: reconciliation touches only 3T orders', () => {
    it('a foreign open order stays open; a stale 3T order is cancelled', async () => {
      await venue();
      const foreign = fake.seedOrder({
        symbol: spec.symbol,
        side: 'buy',
        quantity: String(spec.small),
        price: '50',
        clientOrderId: spec.foreignId,
      });
      const deps = executor('recon');
      const foreignSeen: string[] = [];
      const ours = newIntent({ type: 'limit', limitPrice: 60, quantity: spec.small });
      await executeIntent(await deps.intents.insertIntent(ours, 'pending', null), deps);
      await reconcile(
        { ...deps, events: { foreignOrder: (_s, id) => foreignSeen.push(id) } },
        { trigger: 'scheduled', symbols: [spec.symbol] },
      );
      const orders = fake.state().orders;
      expect(orders.find((o) => o.clientOrderId === foreign.clientOrderId)?.status).toBe('NEW');
      expect(orders.find((o) => o.clientOrderId === atVenue(ours.clientOrderId))?.status).toBe(
        'CANCELED',
      );
      expect(foreignSeen).toEqual([foreign.clientOrderId]);
    });
  });

  describe('reconciliation baseline', () => {
    it('coins held before 3T traded are not 3T position: no halt', async () => {
      await venue({ held: '0.25' });
      const deps = executor('baseline');
      await executeIntent(await deps.intents.insertIntent(newIntent(), 'pending', null), deps);
      const first = await reconcile(deps, { trigger: 'start', symbols: [spec.symbol] });
      expect(first.differences.filter((d) => d.kind === 'position')).toEqual([]);
      expect((await deps.intents.halts()).size).toBe(0);
      // a later, unexplained change still halts
      await db.pool.query('UPDATE positions SET quantity = quantity + 3 WHERE symbol = ?', [
        spec.symbol,
      ]);
      const later = await reconcile(deps, { trigger: 'manual', symbols: [spec.symbol] });
      expect(later.status).toBe('halted');
    });
  });
}

orderSafetySuite(BINANCE);
describe('on the fake Hyperliquid (perpetuals, through ccxt hyperliquid)', () => {
  orderSafetySuite(HYPERLIQUID);
});

function targetDeps(owner: string): HandleTargetDeps {
  return {
    ...executor(owner),
    settings: {
      ...TEST_SETTINGS,
      reconcileSeconds: 0,
      leverage: {},
      maxTargetAgeMs: 120_000,
    },
    state: newOrderExecutorState(),
  };
}

function target(overrides: Partial<Target> = {}): Target {
  return testTarget({
    exchange: spec.exchange,
    symbol: spec.symbol,
    reason: 'order safety vote',
    ...overrides,
  });
}
