import { kellyFactor } from '@3t/providence';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRisk, type RiskLimits } from '../../src/order-executor/check-risk';
import { type SizingSettings, sizedTarget } from '../../src/order-executor/sizing';

const sizing: SizingSettings = {
  risk_pos_percentage: 0.01,
  max_margin_usage: 0.5,
  min_order_notional: 12.5,
  invert: false,
  can_go_long: true,
  can_go_short: true,
};

const base = {
  symbol: 'BTC/USDT',
  kelly: { kc: 0.2, kh: 0.4 },
  balance: 10_000,
  price: 100,
  leverage: 1,
  leverageSum: 1,
  accountMarginUsed: 0,
  current: 0,
};

// kellyFactor, targetPosition, capTarget and reconcileOrder are @3t/providence's (tested there);
// these cases check how order-executor composes them with its config and the account.
describe('sizedTarget: providence sizing composed with config and the account (strategy.md §6)', () => {
  it.each([
    ['long vote', { vote: 3 }, {}, (3 * 10_000 * 0.01 * 0.5) / 100],
    ['short vote', { vote: -2 }, {}, (-2 * 10_000 * 0.01 * 0.5) / 100],
    ['no vote', { vote: 0 }, {}, 0],
    ['inverted', { vote: 3 }, { invert: true }, (-3 * 10_000 * 0.01 * 0.5) / 100],
    ['long forbidden', { vote: 3 }, { can_go_long: false }, 0],
    ['short forbidden', { vote: -3 }, { can_go_short: false }, 0],
    // margin 100 × 2000 / 1 = huge; budget = 10000 × 0.5 × 1 / 2 = 2500 → 25 units
    ['margin cap', { vote: 2000, leverageSum: 2 }, {}, 25],
    [
      'account budget used: increase skipped',
      { vote: 3, accountMarginUsed: 5000, current: 0.5 },
      {},
      0.5,
    ],
  ])('%s', (_name, input, settings, expected) => {
    const got = sizedTarget({ ...base, ...input }, { ...sizing, ...settings });
    expect(got, `input ${JSON.stringify(input)}`).toBeCloseTo(expected, 10);
  });
  it('uses the Kelly factor of the target: kc 0.2, kh 0.4 → 0.5 of the probation-free size', () => {
    expect(kellyFactor(0.2, 0.4)).toBeCloseTo(0.5, 12);
    const probation = sizedTarget({ ...base, vote: 4, kelly: { kc: null, kh: null } }, sizing);
    const half = sizedTarget({ ...base, vote: 4 }, sizing);
    expect(half / probation, 'factor 0.5 over probation 0.25').toBeCloseTo(2, 12);
  });
  it('an empty account or no vote targets flat', () => {
    expect(sizedTarget({ ...base, vote: 3, balance: 0 }, sizing)).toBe(0);
    expect(sizedTarget({ ...base, vote: 0, current: 2 }, sizing)).toBe(0);
  });
});

const limits: RiskLimits = {
  max_position_notional: 1000,
  max_order_notional: 250,
  max_orders_per_minute: 6,
  max_daily_loss: 250,
  kill_switch: false,
  max_price_deviation: 0.05,
};
const order = {
  side: 'buy' as const,
  quantity: 2,
  price: 100,
  jobPrice: 100,
  current: 0,
  halted: { all: null, symbol: null },
  ordersLastMinute: 0,
  dailyLoss: 0,
};

describe('checkRisk: every branch', () => {
  it.each([
    ['allowed', {}, {}, { allowed: true, quantity: 2 }],
    ['kill switch in config', { kill_switch: true }, {}, { allowed: false, rule: 'kill_switch' }],
    [
      '3t halt',
      {},
      { halted: { all: { state: 'halted', reason: 'ops' }, symbol: null } },
      { allowed: false, rule: 'kill_switch' },
    ],
    [
      'symbol halted',
      {},
      { halted: { all: null, symbol: { state: 'halted', reason: 'unknown error' } } },
      { allowed: false, rule: 'symbol_halted' },
    ],
    [
      'reducing: an order that adds is denied',
      {},
      { current: 1, halted: { all: { state: 'reducing', reason: 'wind down' }, symbol: null } },
      { allowed: false, rule: 'kill_switch' },
    ],
    [
      'reducing: an order that only reduces passes',
      {},
      {
        current: 3,
        side: 'sell',
        halted: { all: null, symbol: { state: 'reducing', reason: 'wind down' } },
      },
      { allowed: true, quantity: 2 },
    ],
    [
      'reducing: a sell that crosses zero adds a short and is denied',
      {},
      {
        current: 1,
        side: 'sell',
        halted: { all: { state: 'reducing', reason: 'wind down' }, symbol: null },
      },
      { allowed: false, rule: 'kill_switch' },
    ],
    [
      'job price 6 % from the venue',
      {},
      { jobPrice: 106 },
      { allowed: false, rule: 'max_price_deviation' },
    ],
    ['job price 4 % from the venue', {}, { jobPrice: 96 }, { allowed: true, quantity: 2 }],
    [
      'a forged job price 0.01 against the venue 100',
      {},
      { jobPrice: 0.01, quantity: 2020 },
      { allowed: false, rule: 'max_price_deviation' },
    ],
    ['the venue has no price', {}, { price: 0 }, { allowed: false, rule: 'max_price_deviation' }],
    ['daily loss reached', {}, { dailyLoss: 250 }, { allowed: false, rule: 'max_daily_loss' }],
    [
      'orders per minute',
      {},
      { ordersLastMinute: 6 },
      { allowed: false, rule: 'max_orders_per_minute' },
    ],
    ['order cut to max order notional', {}, { quantity: 3 }, { allowed: true, quantity: 2.5 }],
    [
      'order cut by position, then by order notional',
      {},
      { quantity: 8, current: 3 },
      { allowed: true, quantity: 2.5 },
    ],
    [
      'a reducing order above max order notional is cut too',
      {},
      { quantity: 5, current: 5, side: 'sell' },
      { allowed: true, quantity: 2.5 },
    ],
    ['position cut to fit', {}, { current: 9 }, { allowed: true, quantity: 1 }],
    ['position full', {}, { current: 10 }, { allowed: false, rule: 'max_position_notional' }],
    ['reducing is never cut', {}, { current: 20, side: 'sell' }, { allowed: true, quantity: 2 }],
  ])('%s', (_name, l, input, expected) => {
    const got = checkRisk({ ...limits, ...l }, { ...order, ...input } as typeof order);
    expect(got, JSON.stringify(got)).toMatchObject(expected);
  });
});

describe('checkRisk: an allowed order is never larger than the limits', () => {
  it('quantity × price ≤ max_order_notional, ≤ the request, and never crosses max_position_notional when it grows the position', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-3, max: 1e4, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e5, noNaN: true }),
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        fc.constantFrom('buy' as const, 'sell' as const),
        (quantity, price, current, side) => {
          const got = checkRisk(limits, {
            ...order,
            quantity,
            price,
            jobPrice: price,
            current,
            side,
          });
          if (!got.allowed) return;
          const ctx = JSON.stringify({ quantity, price, current, side, got });
          expect(got.quantity * price, ctx).toBeLessThanOrEqual(
            limits.max_order_notional * (1 + 1e-12),
          );
          expect(got.quantity, ctx).toBeLessThanOrEqual(quantity);
          const after = current + (side === 'buy' ? got.quantity : -got.quantity);
          if (Math.abs(after) > Math.abs(current)) {
            expect(Math.abs(after) * price, ctx).toBeLessThanOrEqual(
              Math.max(limits.max_position_notional, Math.abs(current) * price) * (1 + 1e-9),
            );
          }
        },
      ),
    );
  });
});
