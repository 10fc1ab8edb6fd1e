import { MemoryPaperBroker } from '@3t/exchange';
import { describe, expect, it } from 'vitest';
import { PaperFundingClock } from '../../src/index';

// The paper venue's funding as market time passes (issue 15): every funding time between two
// calls is booked once, on the position and last price the venue holds, at the looked-up rate.

const SYMBOL = 'SOL/USDC:USDC';
const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

async function longOf(quantity: number, price: number): Promise<MemoryPaperBroker> {
  const venue = new MemoryPaperBroker({
    quoteCurrency: 'USDC',
    feeRate: 0,
    slippageBps: 0,
    perp: { leverage: { [SYMBOL]: 10 }, maintenanceMarginRate: 0.005 },
  });
  await venue.applyPrice(SYMBOL, price, T0);
  await venue.placeOrder({
    symbol: SYMBOL,
    side: 'buy',
    type: 'market',
    quantity,
    clientOrderId: 'l',
  });
  await venue.applyPrice(SYMBOL, price, T0 + 60_000);
  return venue;
}

describe('PaperFundingClock', () => {
  it('books each hourly funding time once, at its own rate, skipping unknown rates', async () => {
    const venue = await longOf(4, 100);
    const rates = new Map([
      [T0 + HOUR, 0.0002],
      [T0 + 3 * HOUR, -0.0001],
    ]);
    const clock = new PaperFundingClock(venue, async (_s, t) => rates.get(t), HOUR);
    expect(await clock.advance(SYMBOL, T0 + 60_000), 'the first call starts the clock').toEqual([]);
    const missing: number[] = [];
    const paid = await clock.advance(SYMBOL, T0 + 3 * HOUR + 30_000, (t) => missing.push(t));
    expect(paid.map((p) => [p.time, p.amount])).toEqual([
      [T0 + HOUR, -4 * 100 * 0.0002],
      [T0 + 3 * HOUR, 4 * 100 * 0.0001],
    ]);
    expect(missing).toEqual([T0 + 2 * HOUR]);
    expect(await clock.advance(SYMBOL, T0 + 3 * HOUR + 60_000), 'nothing twice').toEqual([]);
    const total = (await venue.fetchBalances())['USDC']!.total;
    expect(total).toBeCloseTo(10_000 - 4 * 100 * 0.0002 + 4 * 100 * 0.0001, 9);
    expect(await clock.advance('SOL/USDC', T0 + 9 * HOUR), 'spot pays no funding').toEqual([]);
  });

  it('a rate lookup that fails (the venue unreachable) books nothing twice and loses no funding time: the retried call books the rest', async () => {
    const venue = await longOf(4, 100);
    const rates = new Map([
      [T0 + HOUR, 0.0002],
      [T0 + 2 * HOUR, 0.0003],
      [T0 + 3 * HOUR, -0.0001],
    ]);
    let down = true;
    const clock = new PaperFundingClock(
      venue,
      async (_s, t) => {
        if (t === T0 + 2 * HOUR && down) throw new Error('ECONNRESET');
        return rates.get(t);
      },
      HOUR,
    );
    await clock.advance(SYMBOL, T0 + 60_000);
    const now = T0 + 3 * HOUR + 30_000;
    await expect(clock.advance(SYMBOL, now)).rejects.toThrow('ECONNRESET');
    down = false;
    // the target job is retried with the same market time
    const paid = await clock.advance(SYMBOL, now);
    expect(paid.map((p) => [p.time, p.amount])).toEqual([
      [T0 + 2 * HOUR, -4 * 100 * 0.0003],
      [T0 + 3 * HOUR, 4 * 100 * 0.0001],
    ]);
    const booked = await venue.fetchFundingPayments(SYMBOL);
    expect(booked.map((p) => p.time)).toEqual([T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR]);
    const total = (await venue.fetchBalances())['USDC']!.total;
    expect(total).toBeCloseTo(10_000 - 4 * 100 * (0.0002 + 0.0003) + 4 * 100 * 0.0001, 9);
  });
});
