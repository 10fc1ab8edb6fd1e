import { fileURLToPath } from 'node:url';
import type { ExchangeErrorKind } from '@3t/contracts';
import { clientOrderId } from '@3t/contracts';
import {
  type FakeExchange,
  type FakeExchangeOptions,
  fakeBinanceClient,
  readCandleCsv,
  startFakeExchange,
} from '@3t/test-support';
import { describe, expect, it } from 'vitest';
import {
  CcxtExchange,
  type CcxtExchangeOptions,
  ccxtClientConfig,
  clientIdCodecFor,
  createCcxtClient,
} from '../src/index';
import { refusal } from './support';

const candles = readCandleCsv(
  fileURLToPath(new URL('../../../data/ohlcv/binanceus_BTC-USDT_1m.csv', import.meta.url)),
);
const SYMBOL = 'BTC/USDT';

async function withAdapter(
  body: (port: CcxtExchange, fake: FakeExchange) => Promise<void>,
  options: { fake?: Partial<FakeExchangeOptions>; adapter?: CcxtExchangeOptions } = {},
): Promise<void> {
  const fake = await startFakeExchange({
    markets: [{ symbol: SYMBOL, candles }],
    balances: { USDT: '10000' },
    clock: candles[2000]!.openTime,
    ...options.fake,
  });
  try {
    await body(
      new CcxtExchange(fakeBinanceClient(fake.url, { timeout: 400 }), options.adapter),
      fake,
    );
  } finally {
    await fake.close();
  }
}

const buy = (id: string, quantity = 0.001) =>
  ({ symbol: SYMBOL, side: 'buy', type: 'market', quantity, clientOrderId: id }) as const;

describe('CcxtExchange error taxonomy (faults of the fake exchange through the real ccxt)', () => {
  const cases: [string, Parameters<FakeExchange['inject']>[0], ExchangeErrorKind, string][] = [
    ['HTTP 429', { kind: 'rate-limit' }, 'rate-limited', 'rate-limited'],
    ['HTTP 503', { kind: 'server-error' }, 'exchange-not-available', 'retryable'],
    ['no answer', { kind: 'timeout-after-accept' }, 'timeout', 'retryable'],
    ['cut connection', { kind: 'drop-after-accept' }, 'network', 'retryable'],
    ['insufficient balance', { kind: 'insufficient-balance' }, 'insufficient-funds', 'rejected'],
    ['filter failure', { kind: 'invalid-order' }, 'invalid-order', 'rejected'],
  ];
  for (const [what, fault, kind, category] of cases) {
    it(`${what} on a new order → ${kind} (${category})`, async () => {
      await withAdapter(async (port, fake) => {
        fake.inject(fault);
        const err = await refusal(port.placeOrder(buy('tax-1')));
        expect([err.kind, err.category], err.message).toEqual([kind, category]);
      });
    });
  }

  it('never puts the API key or secret into an error message, whatever the fault', async () => {
    const apiKey = 'KEY-3f9a1c77e2';
    const secret = 'SECRET-b81d40aa95';
    const fake = await startFakeExchange({
      markets: [{ symbol: SYMBOL, candles }],
      balances: { USDT: '10' },
    });
    try {
      const port = new CcxtExchange(fakeBinanceClient(fake.url, { timeout: 300, apiKey, secret }));
      const messages: string[] = [];
      for (const kind of [
        'rate-limit',
        'server-error',
        'timeout-after-accept',
        'drop-after-accept',
      ] as const) {
        fake.inject({ kind, endpoint: '*' });
        messages.push((await refusal(port.fetchBalances())).message);
        fake.clearFaults();
      }
      messages.push((await refusal(port.placeOrder(buy('poor', 1)))).message);
      expect(messages).toHaveLength(5);
      for (const m of messages) {
        expect(m).not.toContain(apiKey);
        expect(m).not.toContain(secret);
      }
    } finally {
      await fake.close();
    }
  });

  it('keeps signatures and query strings out of error messages', async () => {
    await withAdapter(async (port, fake) => {
      fake.inject({ kind: 'server-error', endpoint: 'account' });
      const err = await refusal(port.fetchBalances());
      expect(err.message).toContain('/api/v3/account?…');
      expect(err.message).not.toMatch(/signature|timestamp=/);
    });
  });
});

describe('CcxtExchange placement is idempotent by client order id', () => {
  it('after a timeout on an accepted order, the retry finds the order instead of placing it again', async () => {
    await withAdapter(async (port, fake) => {
      fake.inject({ kind: 'timeout-after-accept' });
      expect((await refusal(port.placeOrder(buy('retry-1')))).kind).toBe('timeout');
      const retried = await port.placeOrder(buy('retry-1'));
      expect([retried.clientOrderId, retried.status]).toEqual(['retry-1', 'closed']);
      expect(fake.state().acceptedTwice).toEqual([]);
      expect(fake.venue.placements.filter((p) => p.outcome === 'accepted')).toHaveLength(1);
    });
  });

  it('without asking first, the same retry would trade twice on Binance (why checkBeforePlace is on)', async () => {
    await withAdapter(
      async (port, fake) => {
        fake.inject({ kind: 'drop-after-accept' });
        await refusal(port.placeOrder(buy('retry-2')));
        await port.placeOrder(buy('retry-2'));
        expect(fake.state().acceptedTwice).toEqual(['retry-2']);
      },
      { adapter: { checkBeforePlace: false } },
    );
  });

  it('answers the venue refusing a duplicate open order with that order', async () => {
    await withAdapter(
      async (port, fake) => {
        const limit = {
          symbol: SYMBOL,
          side: 'buy',
          type: 'limit',
          quantity: 0.01,
          limitPrice: 1000,
          clientOrderId: 'dup-open',
        } as const;
        const first = await port.placeOrder(limit);
        const second = await port.placeOrder(limit);
        expect(second.orderId).toBe(first.orderId);
        expect(fake.venue.placements.map((p) => p.error?.msg ?? p.outcome)).toEqual([
          'accepted',
          'Duplicate order sent.',
        ]);
      },
      { adapter: { checkBeforePlace: false } },
    );
  });
});

describe('CcxtExchange fills carry the fee as the venue reported it (issue 12, findings 5 and 6)', () => {
  const fees = async (fake: Partial<FakeExchangeOptions>) => {
    let out: unknown[] = [];
    await withAdapter(
      async (port) => {
        await port.placeOrder(buy('3tfee', 0.01));
        out = (await port.fetchOrderFills(SYMBOL, '3tfee')).map((f) => f.fee);
      },
      { fake: { markets: [{ symbol: SYMBOL, price: '20000' }], ...fake } },
    );
    return out;
  };
  it('in the quote, in the base asset received, as a rebate, or not at all', async () => {
    expect(await fees({}), 'quote').toEqual([{ cost: 0.2, currency: 'USDT' }]);
    expect(await fees({ commissionAsset: 'received' }), 'base').toEqual([
      { cost: 0.00001, currency: 'BTC' },
    ]);
    expect(await fees({ feeRate: '-0.0001' }), 'rebate').toEqual([
      { cost: -0.02, currency: 'USDT' },
    ]);
    expect(await fees({ commissionReport: 'omitted' }), 'no fee fields').toEqual([undefined]);
    expect(await fees({ commissionReport: 'empty' }), '0 with an empty asset').toEqual([undefined]);
  });
});

describe('CcxtExchange market data', () => {
  it('returns only closed candles as contracts candles, by our clock', async () => {
    const now = candles[1999]!.openTime + 60_000 + 1; // candle 1999 has closed, 2000 has not
    await withAdapter(
      async (port) => {
        const got = await port.fetchCandles(SYMBOL, '1m', { limit: 3 });
        expect(got.map((c) => c.openTime)).toEqual([1998, 1999].map((i) => candles[i]!.openTime));
        expect(got[1]).toEqual({
          v: 1,
          exchange: 'binance',
          symbol: SYMBOL,
          timeframe: '1m',
          openTime: candles[1999]!.openTime,
          open: Number(candles[1999]!.open),
          high: Number(candles[1999]!.high),
          low: Number(candles[1999]!.low),
          close: Number(candles[1999]!.close),
          volume: Number(candles[1999]!.volume),
          exchangeTime: candles[1999]!.openTime,
          receivedAt: now,
        });
      },
      { adapter: { now: () => now } },
    );
  });

  it('drops and counts a candle the venue sends broken (high below low)', async () => {
    const broken = candles.slice(0, 5).map((c, i) => (i === 2 ? { ...c, high: '1', low: '2' } : c));
    const seen: string[] = [];
    await withAdapter(
      async (port) => {
        const got = await port.fetchCandles(SYMBOL, '1m', { since: broken[0]!.openTime });
        expect(got).toHaveLength(4);
        expect(port.droppedCandles.get('high')).toBe(1);
        expect(seen[0]).toMatch(/^high: .*below/);
      },
      {
        fake: { markets: [{ symbol: SYMBOL, candles: broken }] },
        adapter: { onInvalidCandle: (reason) => seen.push(reason) },
      },
    );
  });

  it('reports the positions of a spot account as base balances', async () => {
    await withAdapter(
      async (port) => {
        expect(await port.fetchPositions([SYMBOL])).toEqual([{ symbol: SYMBOL, quantity: 0.25 }]);
      },
      { fake: { balances: { BTC: '0.25', USDT: '0' } } },
    );
  });
});

describe('ccxt client settings', () => {
  it('builds any ccxt exchange by id and names the setting when the id is unknown', () => {
    expect(createCcxtClient({ id: 'hyperliquid' }).id).toBe('hyperliquid');
    expect(() => createCcxtClient({ id: 'nosuchexchange' })).toThrow(
      /exchange.id 'nosuchexchange'/,
    );
  });

  it('maps config.yml and secrets.yml onto ccxt credentials, dropping empty ones', () => {
    const settings = ccxtClientConfig(
      {
        exchange: {
          id: 'binance',
          base_url: 'http://127.0.0.1:1',
          sandbox: false,
          timeout_ms: 5000,
        },
      } as never,
      {
        exchange: {
          api_key: 'k',
          secret: 's',
          password: '',
          uid: '',
          wallet_address: '',
          private_key: '',
        },
      } as never,
    );
    const exchange = createCcxtClient(settings);
    expect([exchange.apiKey, exchange.secret, exchange.timeout]).toEqual(['k', 's', 5000]);
    expect(exchange.password).toBeFalsy();
    expect(
      Object.values(exchange.urls.api as Record<string, string>).every((u) =>
        u.startsWith('http://127.0.0.1:1/'),
      ),
    ).toBe(true);
  });

  it('spells our client order ids as Hyperliquid cloids and back', () => {
    const codec = clientIdCodecFor('hyperliquid');
    const id = clientOrderId('binance:BTC/USDT:intent:42');
    const cloid = codec.encode(id);
    expect(cloid).toMatch(/^0x[0-9a-f]{32}$/);
    expect(cloid).toBe(`0x${id.slice(2)}`);
    expect(codec.decode(cloid)).toBe(id);
    // another bot's cloid keeps its venue spelling: never taken for one of ours
    const foreign = '0x0123456789abcdef0123456789abcdef';
    expect(codec.decode(foreign)).toBe(foreign);
    expect(() => codec.encode('abc')).toThrow(/cloid/);
    expect(clientIdCodecFor('binance').encode(id)).toBe(id);
  });
});
