import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { CLIENT_ORDER_ID_PREFIX } from '@3t/contracts';
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeExchange,
  fakeBinanceClient,
  fakeExchangeControl,
  readCandleCsv,
  startFakeExchange,
} from '../src/index';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const btcFile = `${root}data/ohlcv/binanceus_BTC-USDT_1m.csv`;
const candles = readCandleCsv(btcFile);

async function withFake<T>(
  options: Partial<Parameters<typeof startFakeExchange>[0]>,
  body: (fake: FakeExchange, ex: ReturnType<typeof fakeBinanceClient>) => Promise<T>,
): Promise<T> {
  const fake = await startFakeExchange({
    markets: [{ symbol: 'BTC/USDT', candles }],
    balances: { USDT: '10000' },
    ...options,
  });
  try {
    const ex = fakeBinanceClient(fake.url, { timeout: 400 });
    await ex.loadMarkets();
    return await body(fake, ex);
  } finally {
    await fake.close();
  }
}

describe('fake exchange: market data through the real ccxt binance class', () => {
  it('serves markets with Binance filters that ccxt turns into precision and limits', async () => {
    await withFake({}, async (_fake, ex) => {
      const m = ex.market('BTC/USDT');
      expect(m.id).toBe('BTCUSDT');
      expect(m.spot).toBe(true);
      expect(m.precision.price, 'tick size from PRICE_FILTER').toBe(0.01);
      expect(m.precision.amount, 'step size from LOT_SIZE').toBe(0.000001);
      expect(m.limits.cost?.min, 'min notional from NOTIONAL').toBe(5);
    });
  });

  it('pages through every bundled candle with since + limit exactly as stored in the CSV', async () => {
    await withFake({}, async (fake, ex) => {
      const got: number[][] = [];
      let since = candles[0]!.openTime;
      for (;;) {
        const page = await ex.fetchOHLCV('BTC/USDT', '1m', since, 1000);
        if (page.length === 0) break;
        got.push(...(page as number[][]));
        since = page[page.length - 1]![0]! + 1;
      }
      expect(got.length, 'row count').toBe(candles.length);
      for (const i of [0, 1, 12_345, candles.length - 1]) {
        const c = candles[i]!;
        expect(got[i], `row ${i}`).toEqual(
          [c.openTime, c.open, c.high, c.low, c.close, c.volume].map(Number),
        );
      }
      expect(fake.requestCount('klines'), 'one request per page of 1000').toBe(
        Math.ceil(candles.length / 1000) + 1,
      );
    });
  });

  it('answers the newest candles without since, and only those opened by the clock', async () => {
    const clock = candles[5000]!.openTime;
    await withFake({ clock }, async (fake, ex) => {
      const latest = await ex.fetchOHLCV('BTC/USDT', '1m', undefined, 3);
      expect(latest.map((r) => r[0])).toEqual([4998, 4999, 5000].map((i) => candles[i]!.openTime));
      fake.venue.advance(2);
      const later = await ex.fetchOHLCV('BTC/USDT', '1m', undefined, 1);
      expect(later[0]![0], 'clock moved two steps').toBe(candles[5002]!.openTime);
      const until = await ex.fetchOHLCV('BTC/USDT', '1m', undefined, 2, {
        until: candles[10]!.openTime,
      });
      expect(until.map((r) => r[0])).toEqual([candles[9]!.openTime, candles[10]!.openTime]);
    });
  });

  it('builds 5m klines from 1m candles aligned to 5-minute boundaries', async () => {
    await withFake({}, async (_fake, ex) => {
      const rows = await ex.fetchOHLCV('BTC/USDT', '5m', candles[0]!.openTime, 3);
      for (const [k, row] of rows.entries()) {
        const part = candles.slice(k * 5, k * 5 + 5);
        expect(row, `5m bucket ${k}`).toEqual([
          part[0]!.openTime,
          Number(part[0]!.open),
          Math.max(...part.map((c) => Number(c.high))),
          Math.min(...part.map((c) => Number(c.low))),
          Number(part[4]!.close),
          expect.closeTo(
            part.reduce((s, c) => s + Number(c.volume), 0),
            9,
          ),
        ]);
      }
      await expect(ex.fetchOHLCV('BTC/USDT', '1w'), 'weeks are not served').rejects.toThrow(
        /Invalid interval/,
      );
    });
  });

  it('quotes the last close at the clock as the ticker price', async () => {
    await withFake({ clock: candles[100]!.openTime }, async (_fake, ex) => {
      const t = await ex.fetchTicker('BTC/USDT');
      expect(t.last).toBe(Number(candles[100]!.close));
    });
  });
});

describe('fake exchange: orders', () => {
  it('fills a market buy at the current close and books quote, base and fee exactly', async () => {
    const clock = candles[200]!.openTime;
    const price = candles[200]!.close;
    await withFake({ clock, feeRate: '0.001' }, async (fake, ex) => {
      const o = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, {
        clientOrderId: 'buy-1',
      });
      expect(o.status).toBe('closed');
      expect(o.clientOrderId).toBe('buy-1');
      expect(o.average).toBe(Number(price));
      const cost = Number(price) * 0.01;
      expect(o.fee?.cost).toBeCloseTo(cost * 0.001, 8);
      const state = fake.state();
      expect(state.balances.BTC?.free).toBe('0.01');
      const expectedUsdt = (10000 - cost - Math.round(cost * 0.001 * 1e8) / 1e8).toFixed(8);
      expect(Number(state.balances.USDT?.free).toFixed(8), `USDT after buying at ${price}`).toBe(
        expectedUsdt,
      );
      const trades = await ex.fetchMyTrades('BTC/USDT');
      expect(trades.map((t) => [t.order, t.amount, t.price])).toEqual([
        [o.id, 0.01, Number(price)],
      ]);
      const bal = await ex.fetchBalance();
      expect(bal.BTC?.free).toBe(0.01);
    });
  });

  it('refuses a client order id that is still open with -2010 Duplicate order sent, as Binance does', async () => {
    await withFake({}, async (fake, ex) => {
      await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 1000, { clientOrderId: 'dup-1' });
      const err = await ex
        .createOrder('BTC/USDT', 'limit', 'buy', 0.01, 1000, { clientOrderId: 'dup-1' })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ccxt.InvalidOrder);
      expect(String(err)).toContain('{"code":-2010,"msg":"Duplicate order sent."}');
      expect(fake.state().acceptedTwice).toEqual([]);
      expect(fake.venue.placements.map((p) => p.outcome)).toEqual(['accepted', 'rejected']);
    });
  });

  it('accepts a filled client order id again (Binance checks only open orders) and reports it', async () => {
    await withFake({}, async (fake, ex) => {
      await ex.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { clientOrderId: 'x1' });
      await ex.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { clientOrderId: 'x1' });
      expect(fake.state().acceptedTwice, 'placed twice').toEqual(['x1']);
    });
  });

  it('refuses everything when configured to check ids forever', async () => {
    await withFake({ duplicateClientOrderIds: 'always' }, async (fake, ex) => {
      await ex.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { clientOrderId: 'y1' });
      await expect(
        ex.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { clientOrderId: 'y1' }),
      ).rejects.toThrow(/Duplicate order sent/);
      expect(fake.state().acceptedTwice).toEqual([]);
    });
  });

  it('finds, lists and cancels a resting limit order by client order id, releasing its funds', async () => {
    await withFake({}, async (fake, ex) => {
      await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.1, 10000, { clientOrderId: 'lim-1' });
      expect(fake.state().balances.USDT, 'cost + fee locked').toEqual({
        free: '8999',
        locked: '1001',
      });
      const found = await ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'lim-1' });
      expect([found.status, found.clientOrderId, found.price]).toEqual(['open', 'lim-1', 10000]);
      expect((await ex.fetchOpenOrders('BTC/USDT')).map((o) => o.clientOrderId)).toEqual(['lim-1']);
      const cancelled = await ex.cancelOrder('', 'BTC/USDT', { clientOrderId: 'lim-1' });
      expect(cancelled.status).toBe('canceled');
      expect(fake.state().balances.USDT).toEqual({ free: '10000', locked: '0' });
      await expect(
        ex.cancelOrder('', 'BTC/USDT', { clientOrderId: 'lim-1' }),
        'a closed order cannot be cancelled',
      ).rejects.toBeInstanceOf(ccxt.OrderNotFound);
      await expect(
        ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'never-sent' }),
      ).rejects.toBeInstanceOf(ccxt.OrderNotFound);
    });
  });

  it('fills a resting limit order at its price once a later candle trades through it', async () => {
    const start = 1000;
    // the first later candle whose low dips below the close at `start`
    const limit = Number(candles[start]!.close) - 5;
    const hit = candles.findIndex((c, i) => i > start && Number(c.low) <= limit);
    await withFake({ clock: candles[start]!.openTime }, async (fake, ex) => {
      await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, limit, { clientOrderId: 'dip' });
      fake.venue.setClock(candles[hit - 1]!.openTime);
      expect((await ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'dip' })).status).toBe('open');
      fake.venue.advance();
      const o = await ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'dip' });
      expect([o.status, o.average], `filled by candle ${hit}`).toEqual(['closed', limit]);
      const [trade] = await ex.fetchMyTrades('BTC/USDT');
      expect(trade?.takerOrMaker).toBe('maker');
    });
  });

  it('rejects what the venue would: lot size, min notional, balance, post-only crossing, bad ids', async () => {
    await withFake({ balances: { USDT: '100' } }, async (_fake, ex) => {
      const place = (amount: number, params: Record<string, unknown> = {}, price?: number) =>
        ex
          .createOrder('BTC/USDT', price ? 'limit' : 'market', 'buy', amount, price, params)
          .catch((e: unknown) => e);
      expect(String(await place(0.0001)), 'below min notional').toContain(
        'Filter failure: NOTIONAL',
      );
      const poor = await place(0.01);
      expect(poor, '0.01 BTC costs > 100 USDT').toBeInstanceOf(ccxt.InsufficientFunds);
      const cross = await place(0.001, { postOnly: true }, 99_999);
      expect(String(cross)).toContain('Order would immediately match and take.');
      const badId = await place(0.001, {
        clientOrderId: 'has spaces and is far too long to be valid',
      });
      expect(String(badId)).toContain("Illegal characters found in parameter 'newClientOrderId'");
    });
  });

  it('wants an API key, a timestamp and a signature on signed endpoints (not checking the HMAC)', async () => {
    await withFake({}, async (fake) => {
      const noKey = await fetch(`${fake.url}/api/v3/account?timestamp=1&signature=x`);
      expect([noKey.status, await noKey.json()]).toEqual([
        401,
        { code: -2014, msg: 'API-key format invalid.' },
      ]);
      const noSig = await fetch(`${fake.url}/api/v3/account?timestamp=1`, {
        headers: { 'X-MBX-APIKEY': 'k' },
      });
      expect(noSig.status).toBe(400);
      expect(((await noSig.json()) as { code: number }).code).toBe(-1102);
      const ok = await fetch(`${fake.url}/api/v3/account?timestamp=${Date.now()}&signature=any`, {
        headers: { 'X-MBX-APIKEY': 'k' },
      });
      expect(ok.status).toBe(200);
    });
  });
});

describe('fake exchange: injected faults as ccxt sees them', () => {
  const cases = [
    ['rate-limit', ccxt.DDoSProtection, 'rejected'],
    ['server-error', ccxt.ExchangeNotAvailable, 'rejected'],
    ['timeout-after-accept', ccxt.RequestTimeout, 'accepted'],
    ['drop-after-accept', ccxt.NetworkError, 'accepted'],
    ['insufficient-balance', ccxt.InsufficientFunds, 'rejected'],
    ['invalid-order', ccxt.InvalidOrder, 'rejected'],
  ] as const;
  for (const [kind, errorClass, outcome] of cases) {
    it(`${kind}: ccxt throws ${errorClass.name} and the order is ${outcome} at the venue`, async () => {
      await withFake({}, async (fake, ex) => {
        fake.inject({ kind });
        const err = await ex
          .createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, {
            clientOrderId: `f-${kind}`,
          })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(errorClass);
        expect(fake.venue.placements.map((p) => [p.outcome, p.fault])).toEqual([[outcome, kind]]);
        const again = await ex.fetchOrder('', 'BTC/USDT', { clientOrderId: `f-${kind}` }).then(
          (o) => o.status,
          (e: unknown) => (e instanceof ccxt.OrderNotFound ? 'not found' : e),
        );
        expect(again, 'the fault was spent; asking by client id tells the truth').toBe(
          outcome === 'accepted' ? 'closed' : 'not found',
        );
      });
    });
  }

  it('partial-fill: a market order fills half and expires with the rest, as on a thin book', async () => {
    await withFake({ clock: candles[300]!.openTime }, async (fake, ex) => {
      fake.inject({ kind: 'partial-fill' });
      const o = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.002, undefined, {
        clientOrderId: 'half',
      });
      expect([o.status, o.filled, o.remaining]).toEqual(['expired', 0.001, 0.001]);
      expect(fake.state().balances.BTC?.free).toBe('0.001');
      expect(fake.venue.placements.map((p) => p.fault)).toEqual(['partial-fill']);
    });
  });

  it('partial-fill: a crossing limit order fills a part now and rests with the rest until the path reaches it', async () => {
    await withFake({ clock: candles[300]!.openTime }, async (fake, ex) => {
      fake.inject({ kind: 'partial-fill', fraction: 0.25 });
      const limit = Number(candles[300]!.close) + 1;
      const o = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.004, limit, {
        clientOrderId: 'quarter',
      });
      expect([o.status, o.filled]).toEqual(['open', 0.001]);
      const later = candles.findIndex((c, i) => i > 300 && Number(c.low) <= limit);
      fake.venue.setClock(candles[later]!.openTime);
      const done = await ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'quarter' });
      expect([done.status, done.filled], `filled by candle ${later}`).toEqual(['closed', 0.004]);
      expect((await ex.fetchMyTrades('BTC/USDT')).map((t) => [t.amount, t.takerOrMaker])).toEqual([
        [0.001, 'taker'],
        [0.003, 'maker'],
      ]);
      expect(fake.state().balances.USDT?.locked).toBe('0');
    });
  });

  it('a server error after acceptance hides a placed order behind HTTP 503', async () => {
    await withFake({}, async (fake, ex) => {
      fake.inject({ kind: 'server-error', endpoint: 'newOrder', afterAccept: true, status: 502 });
      await expect(
        ex.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { clientOrderId: 's1' }),
      ).rejects.toBeInstanceOf(ccxt.ExchangeNotAvailable);
      expect(fake.state().orders.map((o) => [o.clientOrderId, o.status])).toEqual([
        ['s1', 'FILLED'],
      ]);
    });
  });

  it('delays by the injected latency and hits only the named endpoint', async () => {
    await withFake({}, async (fake, ex) => {
      fake.inject({ kind: 'server-error', endpoint: 'klines', times: 2 });
      await expect(ex.fetchOHLCV('BTC/USDT', '1m')).rejects.toBeInstanceOf(
        ccxt.ExchangeNotAvailable,
      );
      await expect(ex.fetchBalance(), 'account is not hit').resolves.toBeDefined();
      await expect(ex.fetchOHLCV('BTC/USDT', '1m')).rejects.toBeInstanceOf(
        ccxt.ExchangeNotAvailable,
      );
      await expect(ex.fetchOHLCV('BTC/USDT', '1m'), 'spent after 2').resolves.toHaveLength(500);
      fake.inject({ kind: 'latency', ms: 1000, endpoint: 'ticker' });
      await expect(
        ex.fetchTicker('BTC/USDT'),
        'longer than the 400 ms timeout',
      ).rejects.toBeInstanceOf(ccxt.RequestTimeout);
    });
  });

  it('draws probabilistic faults from its seed: the same seed hits the same requests', async () => {
    const pattern = async (seed: number) =>
      withFake({ seed }, async (fake) => {
        fake.inject({ kind: 'rate-limit', endpoint: 'ping', probability: 0.5, times: null });
        const statuses: number[] = [];
        for (let i = 0; i < 20; i++) statuses.push((await fetch(`${fake.url}/api/v3/ping`)).status);
        return statuses;
      });
    const a = await pattern(7);
    expect(await pattern(7)).toEqual(a);
    expect(a.filter((s) => s === 429).length, `hits in ${a}`).toBeGreaterThan(2);
    expect(a.filter((s) => s === 200).length, `misses in ${a}`).toBeGreaterThan(2);
  });
});

describe('fake exchange: as hard as a real venue, switchable at construction and at run time', () => {
  const fixed = { markets: [{ symbol: 'BTC/USDT', price: '20000' }] };
  const notFound = (e: unknown) => (e instanceof ccxt.OrderNotFound ? 'not found' : e);

  it('lookup lag: an accepted order is "not found" (-2013, HTTP 400) and unlisted until the lag has passed, yet it exists and fills', async () => {
    let skew = 0;
    await withFake(
      { ...fixed, orderLookupLagMs: 3000, now: () => Date.now() + skew },
      async (fake, ex) => {
        const placed = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, {
          clientOrderId: 'lag-1',
        });
        expect([placed.status, placed.filled], 'the placement answer itself is true').toEqual([
          'closed',
          0.01,
        ]);
        const lookup = await ex
          .fetchOrder('', 'BTC/USDT', { clientOrderId: 'lag-1' })
          .catch(notFound);
        expect(lookup, 'within the lag').toBe('not found');
        const raw = await fetch(
          `${fake.url}/api/v3/order?symbol=BTCUSDT&origClientOrderId=lag-1&timestamp=${Date.now()}&signature=x`,
          { headers: { 'X-MBX-APIKEY': 'k' } },
        );
        expect([raw.status, await raw.json()]).toEqual([
          400,
          { code: -2013, msg: 'Order does not exist.' },
        ]);
        expect(await ex.fetchOrders('BTC/USDT'), 'allOrders').toEqual([]);
        expect(await ex.fetchMyTrades('BTC/USDT'), 'myTrades').toEqual([]);
        expect((await ex.fetchBalance()).BTC?.free, 'but it filled').toBe(0.01);
        skew = 3000;
        const seen = await ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'lag-1' });
        expect([seen.status, seen.filled], 'after the lag').toEqual(['closed', 0.01]);
        expect((await ex.fetchMyTrades('BTC/USDT')).map((t) => t.amount)).toEqual([0.01]);

        await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 10000, { clientOrderId: 'lag-2' });
        expect(await ex.fetchOpenOrders('BTC/USDT'), 'openOrders within the lag').toEqual([]);
        fake.configure({ orderLookupLagMs: 0 });
        expect(
          (await ex.fetchOpenOrders('BTC/USDT')).map((o) => o.clientOrderId),
          'switched off at run time',
        ).toEqual(['lag-2']);
      },
    );
  });

  it('lookup lag + id reuse: a client that re-places on one "not found" buys twice (issue 12, finding 1)', async () => {
    await withFake({ ...fixed, orderLookupLagMs: 60_000 }, async (fake, ex) => {
      const place = () =>
        ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'twice' });
      await place();
      const seen = await ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'twice' }).catch(notFound);
      expect(seen).toBe('not found');
      await place();
      expect(fake.state().acceptedTwice).toEqual(['twice']);
      expect(fake.ledger()['BTC/USDT']?.bought, 'two fills for one id').toBe('0.02');
    });
  });

  it('commission in the received asset, switched on at run time: a buy of 0.01 BTC receives 0.00999', async () => {
    await withFake(fixed, async (fake, ex) => {
      await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'q-1' });
      expect(fake.configure({ commissionAsset: 'received' }).commissionAsset).toBe('received');
      await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'r-1' });
      const fees = (await ex.fetchMyTrades('BTC/USDT')).map((t) => [t.fee?.cost, t.fee?.currency]);
      expect(fees, '0.1 % of 200 USDT, then 0.1 % of 0.01 BTC').toEqual([
        [0.2, 'USDT'],
        [0.00001, 'BTC'],
      ]);
      expect(fake.state().balances).toEqual({
        BTC: { free: '0.01999', locked: '0' },
        USDT: { free: '9599.8', locked: '0' },
      });
      expect(fake.ledger()['BTC/USDT']?.baseFees).toBe('0.00001');
    });
  });

  it('rebates: a maker fill with a negative rate pays a negative commission and credits the account', async () => {
    await withFake({ ...fixed, makerFeeRate: '-0.0001' }, async (fake, ex) => {
      expect(fake.venue.behaviour.feeRate, 'taker rate unchanged').toBe('0.001');
      await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 19000, { clientOrderId: 'reb-1' });
      fake.venue.setPrice('BTC/USDT', '19000');
      const [trade] = await ex.fetchMyTrades('BTC/USDT');
      expect([trade?.takerOrMaker, trade?.fee?.cost, trade?.fee?.currency]).toEqual([
        'maker',
        -0.019,
        'USDT',
      ]);
      expect(fake.state().balances.USDT, '10000 − 190 + 0.019').toEqual({
        free: '9810.019',
        locked: '0',
      });
    });
  });

  it('missing fees: trades without commission fields, or with 0 and an empty asset, and nothing charged', async () => {
    await withFake({ ...fixed, commissionReport: 'omitted' }, async (fake, ex) => {
      await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'm-1' });
      fake.configure({ commissionReport: 'empty' });
      await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'm-2' });
      const raw = (await (
        await fetch(
          `${fake.url}/api/v3/myTrades?symbol=BTCUSDT&timestamp=${Date.now()}&signature=x`,
          { headers: { 'X-MBX-APIKEY': 'k' } },
        )
      ).json()) as Record<string, unknown>[];
      expect(raw.map((t) => [t['commission'], t['commissionAsset']])).toEqual([
        [undefined, undefined],
        ['0.00000000', ''],
      ]);
      const trades = await ex.fetchMyTrades('BTC/USDT');
      expect(trades[0]?.fee?.cost, 'ccxt: no fee cost').toBeUndefined();
      expect(trades[0]?.fee?.currency, 'ccxt: no fee currency').toBeUndefined();
      expect(trades[1]?.fee?.cost, 'ccxt: a zero fee').toBe(0);
      expect(fake.state().balances.USDT?.free, 'no fee taken').toBe('9600');
    });
  });

  it('partial fills over several polls: a market order fills one part per lookup and per clock step', async () => {
    await withFake({ ...fixed, marketFillParts: 4 }, async (fake, ex) => {
      const o = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.004, undefined, {
        clientOrderId: 'parts',
      });
      expect([o.status, o.filled], 'first part at acceptance').toEqual(['open', 0.001]);
      const filled = async () =>
        (await ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'parts' })).filled;
      expect(await filled(), 'second lookup').toBe(0.002);
      fake.venue.setPrice('BTC/USDT', '20100');
      expect(await filled(), 'third lookup, at the price then').toBe(0.003);
      fake.venue.advance();
      const done = await ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'parts' });
      expect(
        [done.status, done.filled],
        'the clock step filled the last part, the lookup none',
      ).toEqual(['closed', 0.004]);
      expect((await ex.fetchMyTrades('BTC/USDT')).map((t) => [t.amount, t.price])).toEqual([
        [0.001, 20000],
        [0.001, 20000],
        [0.001, 20100],
        [0.001, 20100],
      ]);
      expect(fake.ledger()['BTC/USDT']?.bought).toBe('0.004');
    });
  });

  it('a client id is accepted again once its order is closed, by default; refused forever when switched', async () => {
    await withFake(fixed, async (fake, ex) => {
      expect(fake.venue.behaviour.duplicateClientOrderIds).toBe('open-orders');
      await ex.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { clientOrderId: 'd-1' });
      await ex.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { clientOrderId: 'd-1' });
      fake.configure({ duplicateClientOrderIds: 'always' });
      await expect(
        ex.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { clientOrderId: 'd-1' }),
      ).rejects.toThrow(/Duplicate order sent/);
      expect(fake.ledger()['BTC/USDT']?.accepted.map((a) => a.clientOrderId)).toEqual([
        'd-1',
        'd-1',
      ]);
      expect(fake.state().acceptedTwice).toEqual(['d-1']);
    });
  });

  it('foreign open orders: seeded at construction and later, listed by ccxt without 3T’s prefix, left out of the ledger', async () => {
    await withFake(
      {
        ...fixed,
        balances: { USDT: '10000', BTC: '1' },
        foreignOrders: [{ symbol: 'BTC/USDT', side: 'sell', quantity: '0.5', price: '30000' }],
      },
      async (fake, ex) => {
        fake.seedOrder({
          symbol: 'BTC/USDT',
          side: 'buy',
          quantity: '0.01',
          price: '15000',
          clientOrderId: 'and_7f3a',
        });
        const open = await ex.fetchOpenOrders('BTC/USDT');
        expect(open.map((o) => [o.clientOrderId, o.side, o.amount, o.price])).toEqual([
          ['web_1000001', 'sell', 0.5, 30000],
          ['and_7f3a', 'buy', 0.01, 15000],
        ]);
        expect(open.every((o) => !o.clientOrderId?.startsWith(CLIENT_ORDER_ID_PREFIX))).toBe(true);
        expect(fake.state().balances.BTC, 'the foreign sell holds its coins').toEqual({
          free: '0.5',
          locked: '0.5',
        });
        expect(fake.ledger()['BTC/USDT']?.accepted, 'not placed by us').toEqual([]);
      },
    );
  });

  it('a drifting clock: server, order and trade times run D ms off ours; a client more than 1 s ahead of the venue is refused with -1021', async () => {
    await withFake({ ...fixed, clockDriftMs: 5000 }, async (fake, ex) => {
      const before = Date.now();
      const server = await ex.fetchTime();
      expect(server! - before, 'serverTime ahead by the drift').toBeGreaterThanOrEqual(5000);
      expect(server! - Date.now()).toBeLessThan(6000);
      const o = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, {
        clientOrderId: 'drift',
      });
      expect(o.timestamp! - before, 'order time').toBeGreaterThanOrEqual(5000);
      const [trade] = await ex.fetchMyTrades('BTC/USDT');
      expect(trade!.timestamp! - before, 'trade time').toBeGreaterThanOrEqual(5000);
      expect(fake.ledger()['BTC/USDT']?.accepted[0]?.at, 'the ledger keeps our time').toBeLessThan(
        before + 5000,
      );

      fake.configure({ clockDriftMs: -3000 });
      const ahead = await ex.fetchBalance().catch((e: unknown) => e);
      expect(ahead, 'our timestamp is 3 s ahead of the venue').toBeInstanceOf(ccxt.InvalidNonce);
      expect(String(ahead)).toContain('1000ms ahead');
      fake.configure({ clockDriftMs: 11_000 });
      const behind = await ex.fetchBalance().catch((e: unknown) => e);
      expect(String(behind), "older than ccxt's 10 s recvWindow").toContain(
        'outside of the recvWindow',
      );
      const adjusting = fakeBinanceClient(fake.url, { options: { adjustForTimeDifference: true } });
      await adjusting.loadMarkets();
      await expect(
        adjusting.fetchBalance(),
        'a client that adjusts for the difference is served',
      ).resolves.toBeDefined();
    });
  });

  it('the ledger: per symbol, every accepted order with our time and the halt flag, and the base quantity filled', async () => {
    await withFake(
      { ...fixed, commissionAsset: 'received', balances: { USDT: '10000', BTC: '1' } },
      async (fake, ex) => {
        await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, {
          clientOrderId: 'l-1',
        });
        fake.setHalted('BTC/USDT', true);
        const t0 = Date.now();
        await ex.createOrder('BTC/USDT', 'market', 'sell', 0.003, undefined, {
          clientOrderId: 'l-2',
        });
        const t1 = Date.now();
        fake.setHalted('BTC/USDT', false);
        fake.inject({ kind: 'invalid-order' });
        await expect(
          ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'l-3' }),
        ).rejects.toBeInstanceOf(ccxt.InvalidOrder);
        fake.seedOrder({ symbol: 'BTC/USDT', side: 'sell', quantity: '0.1', price: '19000' });
        const ledger = fake.ledger()['BTC/USDT']!;
        expect(
          ledger.accepted.map((a) => [a.clientOrderId, a.side, a.quantity, a.whileHalted]),
        ).toEqual([
          ['l-1', 'BUY', '0.01', false],
          ['l-2', 'SELL', '0.003', true],
        ]);
        expect(ledger.accepted[1]!.at).toBeGreaterThanOrEqual(t0);
        expect(ledger.accepted[1]!.at).toBeLessThanOrEqual(t1);
        expect(
          [ledger.filled, ledger.bought, ledger.sold, ledger.baseFees, ledger.acceptedWhileHalted],
          'the crossing foreign sell filled too, but is not ours',
        ).toEqual(['0.013', '0.01', '0.003', '0.00001', 1]);
      },
    );
  });
});

describe('fake exchange as a process (fake-exchange-main.ts)', () => {
  let child: ReturnType<typeof spawn>;
  let url = '';
  beforeAll(async () => {
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        `${root}packages/test-support/src/fake-exchange-main.ts`,
        '--candles',
        btcFile,
        '--balance',
        'USDT=500',
        '--clock',
        String(candles[10]!.openTime),
        '--behaviour',
        '{"commissionAsset":"received"}',
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    for await (const chunk of child.stdout!) {
      out += String(chunk);
      const m = /FAKE_EXCHANGE_URL=(\S+)/.exec(out);
      if (m) {
        url = m[1]!;
        break;
      }
    }
  });
  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('serves ccxt and takes faults, clock moves and state queries over /__fake', async () => {
    const ex = fakeBinanceClient(url, { timeout: 400 });
    const control = fakeExchangeControl(url);
    await ex.loadMarkets();
    expect((await ex.fetchBalance()).USDT?.free).toBe(500);
    await control.advance(5);
    const [last] = await ex.fetchOHLCV('BTC/USDT', '1m', undefined, 1);
    expect(last?.[0]).toBe(candles[15]!.openTime);
    await control.inject({ kind: 'drop-after-accept' });
    await expect(
      ex.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { clientOrderId: 'p1' }),
    ).rejects.toBeInstanceOf(ccxt.NetworkError);
    const state = await control.state();
    expect(state.placements.map((p) => [p.clientOrderId, p.outcome, p.fault])).toEqual([
      ['p1', 'accepted', 'drop-after-accept'],
    ]);
    await expect(control.inject({ kind: 'nonsense' } as never)).rejects.toThrow(/kind/);
  });

  it('switches behaviours, seeds foreign orders, flags halts and reports its ledger over /__fake', async () => {
    const ex = fakeBinanceClient(url, { timeout: 400 });
    const control = fakeExchangeControl(url);
    await ex.loadMarkets();
    expect((await control.behaviour()).commissionAsset, 'from --behaviour').toBe('received');
    const switched = await control.configure({ orderLookupLagMs: 60_000, marketFillParts: 2 });
    expect([switched.orderLookupLagMs, switched.marketFillParts, switched.commissionAsset]).toEqual(
      [60_000, 2, 'received'],
    );
    await expect(control.configure({ orderLookupLagMs: -1 }), 'validated').rejects.toThrow(
      /orderLookupLagMs/,
    );
    await control.setHalted('BTC/USDT', true);
    await ex.createOrder('BTC/USDT', 'market', 'buy', 0.002, undefined, { clientOrderId: 'p2' });
    await expect(
      ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'p2' }),
      'within the lag',
    ).rejects.toBeInstanceOf(ccxt.OrderNotFound);
    expect(await control.setHalted('BTC/USDT', false)).toEqual({ halted: [] });
    const [seeded] = await control.seedOrders({
      symbol: 'BTC/USDT',
      side: 'buy',
      quantity: '0.01',
      price: '1000',
    });
    expect(seeded?.clientOrderId).toMatch(/^web_/);
    const ledger = (await control.ledger())['BTC/USDT']!;
    expect(ledger.accepted.map((a) => [a.clientOrderId, a.quantity, a.whileHalted])).toEqual([
      ['p1', '0.001', false],
      ['p2', '0.002', true],
    ]);
    expect(
      [ledger.bought, ledger.baseFees, ledger.acceptedWhileHalted],
      'p1 in full, p2 one of two parts, fees in BTC',
    ).toEqual(['0.002', '0.000002', 1]);
  });

  it('stops with exit code 0 on SIGTERM', async () => {
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});
