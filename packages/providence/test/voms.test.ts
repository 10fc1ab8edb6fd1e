import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Voms } from '../src/index';

type Step = { kind: 'price'; price: number } | { kind: 'trade'; size: number };

const steps = fc.array(
  fc.oneof(
    fc.record({
      kind: fc.constant('price' as const),
      price: fc.double({ min: 0.01, max: 1e6, noNaN: true }),
    }),
    fc.record({
      kind: fc.constant('trade' as const),
      size: fc.double({ min: -5, max: 5, noNaN: true }),
    }),
  ),
  { maxLength: 60 },
);

/** Plays steps on a Voms and on a literal trade list (upstream's representation). */
function play(start: number, leverage: number, list: Step[]) {
  const voms = new Voms(start, leverage);
  const trades: [number, number][] = [];
  let price = 0;
  for (const step of [{ kind: 'price', price: 100 } as Step, ...list]) {
    if (step.kind === 'price') {
      voms.updatePrice(step.price);
      price = step.price;
    } else {
      voms.addTrade(step.size);
      trades.push([price, step.size]);
    }
  }
  return { voms, trades, price };
}

describe('Voms (strategy.md §5)', () => {
  it('keeps balance = start + PnL, margin ≥ 0 and fees ≥ 0', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        fc.integer({ min: 1, max: 100 }),
        steps,
        (start, lev, list) => {
          const { voms, trades, price } = play(start, lev, list);
          const m = voms.metrics();
          if (trades.length === 0) {
            expect(m).toBeNull();
            return;
          }
          // PnL from first principles: each trade gains size × (price now − its price), minus fees
          let gross = 0;
          let fees = 0;
          for (const [p, s] of trades) {
            gross += s * (price - p);
            fees += Math.abs(p * s) * 0.0004 * 2;
          }
          expect(fees).toBeGreaterThanOrEqual(0);
          const scale =
            trades.reduce((sum, [p, s]) => sum + Math.abs(p * s), 0) + Math.abs(price) * 10 + 1;
          expect(
            Math.abs(m!.accountBalance - (start + gross - fees)),
            `start ${start}`,
          ).toBeLessThan(1e-9 * scale + 1e-9 * start);
          expect(m!.accountBalance).toBe(start + m!.unrealizedPnl);
          expect(m!.marginUsed).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 300 },
    );
  });
  it('gives the same numbers, bit for bit, as summing upstream trade list left to right', () => {
    fc.assert(
      fc.property(steps, (list) => {
        const { voms, trades, price } = play(7000, 40, list);
        const m = voms.metrics();
        if (m === null) return;
        let size = 0;
        let value = 0;
        let fees = 0;
        for (const [p, s] of trades) {
          size += s;
          value += p * s;
          fees += Math.abs(p * s) * 0.0004 * 2;
        }
        const unrealized = size * price - value - fees;
        expect(m).toEqual({
          positionSize: size,
          positionValue: value,
          unrealizedPnl: unrealized,
          accountBalance: 7000 + unrealized,
          marginUsed: Math.abs(value) / 40,
        });
      }),
      { numRuns: 300 },
    );
  });
  it('computes a hand example', () => {
    const v = new Voms(1000, 10);
    v.updatePrice(100);
    v.addTrade(2); // value 200, fees 200 × 0.0004 × 2 = 0.16
    v.updatePrice(110);
    v.addTrade(-1); // value −110, fees 0.088
    v.updatePrice(120);
    // position 1, entry 90, unrealized = 120 − 90 − 0.248 = 29.752
    const m = v.metrics()!;
    expect(m.positionSize).toBe(1);
    expect(m.positionValue).toBe(90);
    expect(m.unrealizedPnl).toBeCloseTo(29.752, 12);
    expect(m.accountBalance).toBeCloseTo(1029.752, 12);
    expect(m.marginUsed).toBe(9);
  });
  it('rejects bad input with errors that name it', () => {
    expect(() => new Voms(0, 1)).toThrow(/startingBalance/);
    expect(() => new Voms(1, 0)).toThrow(/leverage/);
    const v = new Voms(1, 1);
    expect(() => v.addTrade(1)).toThrow(/before a price/);
    expect(() => v.updatePrice(-1)).toThrow(/price/);
    expect(v.metrics()).toBeNull();
  });
});
