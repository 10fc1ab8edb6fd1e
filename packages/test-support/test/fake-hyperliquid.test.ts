import ccxt from 'ccxt';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clearinghouseState,
  type FakeExchange,
  fakeHyperliquidClient,
  startFakeHyperliquid,
} from '../src/index';

// The fake Hyperliquid through ccxt's own hyperliquid class: perpetual money against a hand
// computation, the venue's refusals in its words, faults in its shape.
const SYMBOL = 'BTC/USDC:USDC';
let fake: FakeExchange;

async function venue(price = '20000') {
  fake = await startFakeHyperliquid({
    markets: [{ symbol: SYMBOL, price, szDecimals: 4, maxLeverage: 20 }],
    balances: { USDC: '10000' },
    feeRate: '0.0005',
  });
  return fakeHyperliquidClient(fake.url);
}

afterEach(async () => {
  await fake?.close();
});

interface Position {
  szi: string;
  entryPx: string;
  unrealizedPnl: string;
  marginUsed: string;
  liquidationPx: string | null;
  leverage: { type: string; value: number };
}

function state() {
  return clearinghouseState(fake.venue) as {
    marginSummary: { accountValue: string; totalMarginUsed: string };
    assetPositions: { position: Position }[];
  };
}

describe('fake Hyperliquid: perpetual money', () => {
  it('books a long, an add, a partial close and a flip as Hyperliquid does (entry, realized PnL, fees)', async () => {
    const client = await venue();
    await client.loadMarkets();
    await client.setMarginMode('isolated', SYMBOL, { leverage: 10 });
    // [side, size, price]: every market order fills at the price then
    const steps: ['buy' | 'sell', number, string][] = [
      ['buy', 0.1, '20000'],
      ['buy', 0.1, '22000'],
      ['sell', 0.05, '23000'],
      ['sell', 0.25, '19000'],
    ];
    // an independent running book: signed size, entry, cash
    let size = 0;
    let entry = 0;
    let cash = 10_000;
    for (const [side, qty, price] of steps) {
      fake.venue.setPrice(SYMBOL, price);
      await client.createOrder(SYMBOL, 'market', side, qty, Number(price));
      const px = Number(price);
      const signed = side === 'buy' ? qty : -qty;
      cash -= px * qty * 0.0005;
      if (size === 0 || Math.sign(size) === Math.sign(signed)) {
        entry = (size * entry + signed * px) / (size + signed);
      } else {
        const closed = Math.min(Math.abs(signed), Math.abs(size));
        cash += (px - entry) * closed * Math.sign(size);
        if (Math.abs(signed) > Math.abs(size)) entry = px;
      }
      size += signed;
      const [p] = state().assetPositions;
      const context = `after ${side} ${qty} @ ${price}`;
      expect(Number(p?.position.szi), context).toBeCloseTo(size, 12);
      expect(Number(p?.position.entryPx), context).toBeCloseTo(entry, 6);
      const usdc = fake.venue.balance('USDC');
      expect(Number(usdc.free) + Number(usdc.locked), context).toBeCloseTo(cash, 6);
    }
    // short 0.15 from 19000 at 10× isolated: margin 285, maintenance rate 1/(2·20)
    const [p] = state().assetPositions;
    expect(p?.position.leverage).toEqual({
      type: 'isolated',
      value: 10,
      rawUsd: expect.any(String),
    });
    const margin = (0.15 * 19000) / 10;
    const mmr = 1 / 40;
    // equity margin + (entry − P)·0.15 meets mmr·P·0.15
    const liq = (19000 + margin / 0.15) / (1 + mmr);
    expect(Number(p?.position.liquidationPx)).toBeCloseTo(liq, 1);
    // through ccxt: the same position, short, 10×, isolated
    const [pos] = await client.fetchPositions([SYMBOL]);
    expect([pos?.side, pos?.contracts, pos?.leverage, pos?.marginMode]).toEqual([
      'short',
      0.1,
      10,
      'isolated',
    ]);
    expect(pos?.entryPrice).toBe(19000);
  });

  it('refuses as Hyperliquid does: reduce-only that would add, a post-only that would take, too little margin', async () => {
    const client = await venue();
    await client.loadMarkets();
    await expect(
      client.createOrder(SYMBOL, 'market', 'buy', 0.01, 20000, { reduceOnly: true }),
    ).rejects.toThrow(/Reduce only order would increase position/);
    await expect(
      client.createOrder(SYMBOL, 'limit', 'buy', 0.01, 20500, { postOnly: true }),
    ).rejects.toThrow(/Post only order would have immediately matched/);
    // 20× cross by default: 11 BTC at 20000 needs 11000 USDC of margin
    await expect(client.createOrder(SYMBOL, 'market', 'buy', 11, 20000)).rejects.toBeInstanceOf(
      ccxt.InsufficientFunds,
    );
    const resting = await client.createOrder(SYMBOL, 'limit', 'buy', 0.01, 19000, {
      postOnly: true,
      clientOrderId: '0x0123456789abcdef0123456789abcdef',
    });
    expect(resting.id).toMatch(/^\d+$/);
    const open = await client.fetchOpenOrders(SYMBOL);
    expect(open.map((o) => [o.clientOrderId, o.price, o.postOnly])).toEqual([
      ['0x0123456789abcdef0123456789abcdef', 19000, true],
    ]);
    // the reduce-only refusal comes before the book (no placement); the others reached it
    expect(fake.state().placements.map((p) => p.outcome)).toEqual([
      'rejected',
      'rejected',
      'accepted',
    ]);
  });

  it('answers a rate limit with HTTP 429 (ccxt RateLimitExceeded) and an unknown cloid with unknownOid', async () => {
    const client = await venue();
    await client.loadMarkets();
    fake.inject({ kind: 'rate-limit', endpoint: 'openOrders', times: 1 });
    await expect(client.fetchOpenOrders(SYMBOL)).rejects.toBeInstanceOf(ccxt.RateLimitExceeded);
    await expect(
      client.fetchOrder('0xffffffffffffffffffffffffffffffff', SYMBOL, {
        clientOrderId: '0xffffffffffffffffffffffffffffffff',
      }),
    ).rejects.toBeInstanceOf(ccxt.OrderNotFound);
    expect(fake.requests.filter((r) => r.status === 429).map((r) => r.endpoint)).toEqual([
      'openOrders',
    ]);
  });
});
