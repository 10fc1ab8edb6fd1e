import type { Fill } from '@3t/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyFill, EMPTY_POSITION, type PositionState } from '../../src/order-executor';

function fill(
  side: 'buy' | 'sell',
  quantity: number,
  price: number,
  fee?: { cost: number; currency: string },
): Fill {
  return {
    v: 1,
    exchange: 'binance',
    symbol: 'BTC/USDT',
    tradeId: `t-${side}-${quantity}-${price}`,
    orderId: 'o',
    clientOrderId: '3t0',
    side,
    price,
    quantity,
    ...(fee ? { fee } : {}),
    exchangeTime: 1,
    receivedAt: 2,
  };
}

const run = (fills: readonly Fill[], from: PositionState = EMPTY_POSITION) =>
  fills.reduce((p, f) => applyFill(p, f, 'USDT'), from);

describe('applyFill: fees in the currency the venue took them in', () => {
  const cases: [string, Fill[], Partial<PositionState>][] = [
    [
      'a quote fee lowers realized PnL',
      [fill('buy', 1, 100, { cost: 0.1, currency: 'USDT' })],
      { quantity: 1, averageEntryPrice: 100, realizedPnl: -0.1, fees: 0.1 },
    ],
    [
      'a base fee lowers the position: 1 BTC bought, 0.001 BTC paid, 0.999 held',
      [fill('buy', 1, 100, { cost: 0.001, currency: 'BTC' })],
      { quantity: 0.999, averageEntryPrice: 100, realizedPnl: -0.1, fees: 0.1 },
    ],
    [
      'a third-currency fee moves neither position nor quote PnL',
      [fill('buy', 1, 100, { cost: 0.0002, currency: 'BNB' })],
      { quantity: 1, averageEntryPrice: 100, realizedPnl: 0, fees: 0 },
    ],
    [
      'a rebate (negative quote fee) adds to realized PnL',
      [fill('buy', 1, 100, { cost: -0.01, currency: 'USDT' })],
      { quantity: 1, realizedPnl: 0.01, fees: -0.01 },
    ],
    [
      'a fill without a fee books the trade alone',
      [fill('buy', 1, 100)],
      { quantity: 1, averageEntryPrice: 100, realizedPnl: 0, fees: 0, fillCount: 1 },
    ],
    [
      'a base fee is valued at the entry it gives up: bought at 100, fee paid at 200',
      [fill('buy', 1, 100), fill('buy', 1, 200, { cost: 0.002, currency: 'BTC' })],
      { quantity: 1.998, averageEntryPrice: 150, realizedPnl: -0.3, fees: 0.4 },
    ],
    [
      'selling all that a base fee left closes the position flat',
      [
        fill('buy', 1, 100, { cost: 0.001, currency: 'BTC' }),
        fill('sell', 0.999, 110, { cost: 0.10989, currency: 'USDT' }),
      ],
      { quantity: 0, averageEntryPrice: null, realizedPnl: -0.1 + 9.99 - 0.10989 },
    ],
  ];
  for (const [name, fills, expected] of cases) {
    it(name, () => {
      const p = run(fills);
      for (const [key, want] of Object.entries(expected)) {
        const got = p[key as keyof PositionState];
        if (typeof want === 'number') expect(got, `${name}: ${key}`).toBeCloseTo(want, 12);
        else expect(got, `${name}: ${key}`).toBe(want);
      }
    });
  }
});

describe('applyFill: properties over random fill sequences (fast-check)', () => {
  const arbFill = fc
    .record({
      side: fc.constantFrom('buy' as const, 'sell' as const),
      lots: fc.integer({ min: 1, max: 5000 }), // 0.001 .. 5 BTC
      price: fc.integer({ min: 1, max: 100_000 }),
      feeIn: fc.constantFrom('USDT', 'BTC', 'BNB', 'none'),
      feeMicro: fc.integer({ min: -100, max: 1000 }), // rebates included
    })
    .map(({ side, lots, price, feeIn, feeMicro }) => {
      const quantity = lots / 1000;
      // base fees in whole micro-BTC, so no position lands within QTY_EPSILON of zero by accident
      const cost =
        feeIn === 'BTC'
          ? Math.round((lots * feeMicro) / 1000) / 1e6
          : (quantity * price * feeMicro) / 1e6;
      return fill(side, quantity, price, feeIn === 'none' ? undefined : { cost, currency: feeIn });
    });

  it('position quantity = Σ signed fills − Σ base fees', () => {
    fc.assert(
      fc.property(fc.array(arbFill, { maxLength: 40 }), (fills) => {
        const p = run(fills);
        let expected = 0;
        for (const f of fills) {
          expected += f.side === 'buy' ? f.quantity : -f.quantity;
          if (f.fee?.currency === 'BTC') expected -= f.fee.cost;
        }
        expect(p.quantity, `after ${fills.length} fills`).toBeCloseTo(expected, 9);
        expect(p.fillCount).toBe(fills.length);
      }),
    );
  });

  it('realized PnL − quantity × entry = the quote cash flow (trades and quote fees; base fees move no cash)', () => {
    fc.assert(
      fc.property(fc.array(arbFill, { maxLength: 40 }), (fills) => {
        const p = run(fills);
        let cash = 0;
        let scale = 1;
        for (const f of fills) {
          cash -= (f.side === 'buy' ? 1 : -1) * f.quantity * f.price;
          if (f.fee?.currency === 'USDT') cash -= f.fee.cost;
          scale += f.quantity * f.price;
        }
        const book = p.realizedPnl - p.quantity * (p.averageEntryPrice ?? 0);
        expect(Math.abs(book - cash) / scale, `book ${book} vs cash ${cash}`).toBeLessThan(1e-9);
      }),
    );
  });
});
