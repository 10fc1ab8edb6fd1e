import type { Target } from '@3t/contracts';
import { MemoryPaperBroker } from '@3t/exchange';
import { describe, expect, it } from 'vitest';
import {
  MemoryIntentStore,
  MemoryPositionStore,
  newOrderExecutorState,
  type OrderStepDeps,
  runOrderStep,
} from '../../src/index';
import {
  liquidationBufferBreach,
  openingLiquidationDistance,
} from '../../src/order-executor/liquidation-buffer';

// risk.min_liquidation_buffer (issue 15) on a perpetual long at 10×: the paper venue liquidates
// an isolated position when margin + unrealized PnL < |q| × mark × maintenance; the rule closes
// it first, while the price is still `buffer` away from that. Every amount is worked out here.

const SYMBOL = 'BTC/USDT:USDT';
const LEVERAGE = 10;
const MMR = 0.005;
const FEE = 0.001;
const T0 = 1_700_000_000_000;
// entry 100, margin 10 × 100 / 10 = 100: equity 100 + 10 × (P − 100) = 10 × P × 0.005 at
const LIQUIDATION = (100 - 100 / 10) / (1 - MMR); // 90.4523

function setup(
  minBuffer: number,
  leverage = LEVERAGE,
  orders: {
    orderType?: 'market' | 'alo';
    reconcileSeconds?: number;
    maxDailyLoss?: number;
    tradingCalendar?: boolean;
    start?: number;
  } = {},
) {
  let now = orders.start ?? T0;
  const broker = new MemoryPaperBroker({
    startingBalance: 10_000,
    feeRate: FEE,
    slippageBps: 0,
    now: () => now,
    perp: { leverage: { [SYMBOL]: leverage }, maintenanceMarginRate: MMR },
  });
  const intents = new MemoryIntentStore();
  const positions = new MemoryPositionStore();
  const deps: OrderStepDeps = {
    intents,
    positions,
    broker,
    paper: broker,
    clock: { now: () => now, sleep: async () => {} },
    settings: {
      risk: {
        max_position_notional: 1e6,
        max_order_notional: 1e6,
        max_orders_per_minute: 100,
        max_daily_loss: orders.maxDailyLoss ?? 1e6,
        kill_switch: false,
        max_price_deviation: 0.5,
        min_liquidation_buffer: minBuffer,
      },
      // vote 40 × 10,000 × 0.01 × 0.25 (probation) / 100 = 10 BTC; re-sizing by less than 200
      // of notional is not traded, so the position stays 10 while the price falls
      sizing: {
        risk_pos_percentage: 0.01,
        max_margin_usage: 0.5,
        min_order_notional: 200,
        invert: false,
        can_go_long: true,
        can_go_short: true,
        ...(orders.orderType ? { order_type: orders.orderType } : {}),
        ...(orders.tradingCalendar ? { trading_calendar: true } : {}),
      },
      reconcileSeconds: orders.reconcileSeconds ?? 0,
      leverage: { [SYMBOL]: leverage },
      maintenanceMarginRate: MMR,
      maxTargetAgeMs: 120_000,
    },
    state: newOrderExecutorState(),
  };
  const step = (price: number, vote = 40) => {
    now += 60_000;
    const target: Target = {
      v: 1,
      exchange: 'paper',
      symbol: SYMBOL,
      at: now,
      position: vote,
      pnlTotal: 5,
      voters: 4,
      price,
      kelly: { kc: null, kh: null },
      reason: 'test vote',
      computedAt: now,
    };
    return runOrderStep(target, deps);
  };
  /** moves the clock (the next step adds its minute to it) */
  const jump = (ms: number) => {
    now += ms;
  };
  return { broker, intents, positions, step, jump, deps };
}

/** The step placed the close of the whole long of 10; the next step (at 91) fills it. */
async function expectWholeLongClosed(
  { intents, step, broker }: Pick<ReturnType<typeof setup>, 'intents' | 'step' | 'broker'>,
  close: Awaited<ReturnType<ReturnType<typeof setup>['step']>>,
  vote: number,
) {
  expect(close.outcome.action).toBe('order');
  if (close.outcome.action !== 'order') throw new Error('no order');
  const record = await intents.getIntent(close.outcome.intentId);
  expect(record?.intent).toMatchObject({ side: 'sell', quantity: 10, targetPosition: 0 });
  expect(record?.intent.reason).toMatch(/min_liquidation_buffer: /);
  await step(91, vote);
  expect((await broker.fetchPositions([SYMBOL]))[0]!.quantity).toBe(0);
}

describe('risk.min_liquidation_buffer on a perpetual', () => {
  it('without the rule, the venue liquidates the long at the mark below maintenance with the expected loss', async () => {
    const { broker, step } = setup(0);
    await step(100); // decides: buy 10
    await step(100); // fills at 100
    expect((await broker.fetchPositions([SYMBOL]))[0]!.quantity).toBe(10);
    for (const price of [95, 93, 92, 91]) {
      const r = await step(price);
      expect(r.fills, `no liquidation at ${price} > ${LIQUIDATION}`).toHaveLength(0);
    }
    const r = await step(90);
    expect(r.fills).toHaveLength(1);
    expect(r.fills[0]).toMatchObject({ side: 'sell', quantity: 10, price: 90 });
    expect(r.fills[0]!.clientOrderId).toMatch(/^liquidation-/);
    const loss = 10 * (90 - 100) - 10 * 90 * FEE;
    const total = (await broker.fetchBalances())['USDT']!.total;
    expect(total).toBeCloseTo(10_000 - 10 * 100 * FEE + loss, 9);
  });

  it('with a 2 % buffer, order-executor closes the long before the price reaches liquidation, and says why', async () => {
    const { broker, intents, step } = setup(0.02);
    await step(100);
    await step(100);
    for (const price of [95, 93]) {
      const r = await step(price);
      expect(r.outcome.action, `at ${price}: ${(price - LIQUIDATION) / price} ≥ 2 %`).toBe('none');
    }
    // at 92 the price is (92 − 90.452) / 92 = 1.68 % from liquidation: close it
    const close = await step(92);
    expect(close.outcome.action).toBe('order');
    if (close.outcome.action !== 'order') throw new Error('no order');
    const record = await intents.getIntent(close.outcome.intentId);
    expect(record?.intent).toMatchObject({ side: 'sell', quantity: 10, targetPosition: 0 });
    expect(record?.intent.reason).toMatch(
      /^min_liquidation_buffer: price 92 is 1\.68\d % from the liquidation price 90\.45226\d/,
    );
    // the close fills at 91; the runs stop voting, so nothing opens again
    await step(91, 0);
    const last = await step(90, 0);
    expect(
      last.fills.filter((f) => f.clientOrderId.startsWith('liquidation-')),
      'nothing left to liquidate',
    ).toHaveLength(0);
    expect((await broker.fetchPositions([SYMBOL]))[0]!.quantity).toBe(0);
    const total = (await broker.fetchBalances())['USDT']!.total;
    expect(total).toBeCloseTo(10_000 - 10 * 100 * FEE + 10 * (91 - 100) - 10 * 91 * FEE, 9);
  });

  it('a price that jumps past liquidation: the venue liquidates, and the same step decides on the position left (no second close that opens a short)', async () => {
    const { broker, intents, positions, step } = setup(0.02);
    await step(100);
    await step(100);
    expect((await broker.fetchPositions([SYMBOL]))[0]!.quantity).toBe(10);
    // 95 is (95 − 90.452) / 95 = 4.8 % away: nothing; then one candle straight to 89 < 90.452
    await step(95);
    const jump = await step(89, 0);
    const liquidations = jump.fills.filter((f) => f.clientOrderId.startsWith('liquidation-'));
    expect(liquidations).toHaveLength(1);
    expect(liquidations[0]).toMatchObject({ side: 'sell', quantity: 10, price: 89 });
    // our position learnt the liquidation before deciding: flat, nothing to close
    expect((await positions.position('paper', SYMBOL)).quantity).toBe(0);
    expect(jump.outcome).toEqual({ action: 'none', target: 0, actual: 0 });
    await step(89, 0);
    expect((await broker.fetchPositions([SYMBOL]))[0]!.quantity).toBe(0);
    const sells = (await intents.openIntents()).filter((r) => r.intent.side === 'sell');
    expect(sells).toHaveLength(0);
  });

  it('with sizing.order_type alo, a post-only order resting since the last decision does not hold back the close', async () => {
    // decisions every 600 s, a step every 60 s: the resting order is younger than one interval
    const { broker, intents, step } = setup(0.02, LEVERAGE, {
      orderType: 'alo',
      reconcileSeconds: 600,
    });
    await step(100); // decides: post-only buy 10 at the touch 100
    await step(100); // fills at its limit
    expect((await broker.fetchPositions([SYMBOL]))[0]!.quantity).toBe(10);
    for (let i = 0; i < 8; i++) await step(99); // no decision due yet
    // 600 s after the first decision the vote halves: 20 × 10,000 × 0.01 × 0.25 / 99 = 5.05,
    // a post-only sell of 10 − 5.05 at the ask 99 rests while the price falls
    const reduce = await step(99, 20);
    expect(reduce.outcome.action).toBe('order');
    const resting = (await intents.openIntents()).filter((r) => r.intent.postOnly);
    expect(resting.map((r) => [r.intent.side, r.status])).toEqual([['sell', 'submitted']]);
    expect(resting[0]!.intent.targetPosition).toBeCloseTo(500 / 99, 2);
    expect(resting[0]!.intent.quantity).toBeCloseTo(10 - resting[0]!.intent.targetPosition, 9);
    // 60 s later the price is 1.68 % from liquidation: the resting sell is cancelled and the whole
    // long closed at market, off the schedule
    const close = await step(92, 20);
    expect(close.outcome.action).toBe('order');
    if (close.outcome.action !== 'order') throw new Error('no order');
    const record = await intents.getIntent(close.outcome.intentId);
    expect(record?.intent).toMatchObject({ side: 'sell', quantity: 10, type: 'market' });
    expect(record?.intent.postOnly).toBeUndefined();
    expect((await intents.getIntent(resting[0]!.intent.intentId))?.status).toBe('cancelled');
    await step(91, 0);
    const last = await step(90, 0);
    expect(last.fills.filter((f) => f.clientOrderId.startsWith('liquidation-'))).toHaveLength(0);
    expect((await broker.fetchPositions([SYMBOL]))[0]!.quantity).toBe(0);
  });

  it('a loss beyond risk.max_daily_loss does not deny the close: it removes the risk the limit is about', async () => {
    const { broker, intents, step } = setup(0.02, LEVERAGE, { maxDailyLoss: 50 });
    await step(100);
    await step(100); // long 10 at 100, fee 1
    // at 95 the day has lost 10 × 5 + 1 = 51 ≥ 50: a new order would be denied
    const more = await step(95, 80);
    expect(more.outcome).toMatchObject({ action: 'denied', rule: 'max_daily_loss' });
    // at 92 the long is 1.68 % from its liquidation price: closed, though the loss is 81
    const close = await step(92, 80);
    expect(close.outcome.action).toBe('order');
    if (close.outcome.action !== 'order') throw new Error('no order');
    const record = await intents.getIntent(close.outcome.intentId);
    expect(record?.intent).toMatchObject({ side: 'sell', quantity: 10, targetPosition: 0 });
    await step(91, 0);
    const last = await step(90, 0);
    expect(last.fills.filter((f) => f.clientOrderId.startsWith('liquidation-'))).toHaveLength(0);
    expect((await broker.fetchPositions([SYMBOL]))[0]!.quantity).toBe(0);
  });

  it('risk.max_orders_per_minute does not deny the close: one reducing order, not a burst', async () => {
    const { broker, intents, step, deps } = setup(0.02);
    await step(100);
    await step(100);
    // from here every order is over the rate limit: a new position is denied …
    (deps.settings.risk as { max_orders_per_minute: number }).max_orders_per_minute = 0;
    const more = await step(95, 80);
    expect(more.outcome).toMatchObject({ action: 'denied', rule: 'max_orders_per_minute' });
    // … but the close within the buffer goes out
    await expectWholeLongClosed({ intents, step, broker }, await step(92, 80), 0);
  });

  it('sizing.trading_calendar: outside the hours nothing new is decided, but the close within the buffer is', async () => {
    // Friday 17 Nov 2023 12:00 UTC (13:00 in Vienna): the market is open
    const { broker, intents, step, jump } = setup(0.02, LEVERAGE, {
      tradingCalendar: true,
      start: Date.UTC(2023, 10, 17, 12, 0),
    });
    await step(100);
    await step(100);
    expect((await broker.fetchPositions([SYMBOL]))[0]!.quantity).toBe(10);
    // Saturday noon: closed. A vote to double the long is not traded …
    jump(Date.UTC(2023, 10, 18, 12, 0) - Date.UTC(2023, 10, 17, 12, 2));
    const weekend = await step(95, 80);
    expect(weekend.outcome.action).toBe('skipped');
    if (weekend.outcome.action !== 'skipped') throw new Error('not skipped');
    expect(weekend.outcome.reason).toMatch(/^market closed .* by sizing\.trading_calendar/);
    // … but a price 1.68 % from liquidation closes the long, calendar or not
    await expectWholeLongClosed({ intents, step, broker }, await step(92, 80), 80);
    // flat and still closed: the vote opens nothing
    const after = await step(91, 80);
    expect(after.outcome.action).toBe('skipped');
  });

  it('the close respects 3t halt: denied while every symbol is halted, placed in the reducing state', async () => {
    const { broker, intents, step } = setup(0.02);
    await step(100);
    await step(100);
    intents.haltsByScope.set('all', { state: 'halted', reason: 'operator' });
    const halted = await step(92, 0);
    expect(halted.outcome).toMatchObject({ action: 'denied', rule: 'kill_switch' });
    intents.haltsByScope.set('all', { state: 'reducing', reason: 'operator' });
    await expectWholeLongClosed({ intents, step, broker }, await step(92, 40), 40);
  });

  it('denies opening at a leverage whose liquidation price starts within the buffer', async () => {
    // at 100× a long starts 1 − (1 − 0.01) / (1 − 0.005) = 0.50 % from liquidation
    expect(openingLiquidationDistance('buy', 100, MMR)).toBeCloseTo(1 - 0.99 / 0.995, 12);
    expect(openingLiquidationDistance('sell', 100, MMR)).toBeCloseTo(1.01 / 1.005 - 1, 12);
    const { step } = setup(0.02, 100);
    const r = await step(100);
    expect(r.outcome).toMatchObject({ action: 'denied', rule: 'min_liquidation_buffer' });
  });

  it('leaves spot symbols and flat positions alone', () => {
    const base = {
      quantity: 10,
      entryPrice: 100,
      price: 90.5,
      leverage: 10,
      maintenanceMarginRate: MMR,
      minBuffer: 0.02,
    };
    expect(liquidationBufferBreach({ ...base, symbol: 'BTC/USDT' })).toBeNull();
    expect(liquidationBufferBreach({ ...base, symbol: SYMBOL, quantity: 0 })).toBeNull();
    expect(liquidationBufferBreach({ ...base, symbol: SYMBOL })).toMatch(/closing it$/);
    // a short at 10×: liquidation at (100 + 10) / 1.005 = 109.45; 108 is 1.34 % away
    expect(liquidationBufferBreach({ ...base, symbol: SYMBOL, quantity: -10, price: 108 })).toMatch(
      /price 108 is 1\.34\d % from the liquidation price 109\.452/,
    );
  });
});
