import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Candle,
  candleJobId,
  candleSchema,
  clientOrderId,
  deadLetterQueue,
  ExchangePortError,
  featuresSchema,
  fillSchema,
  fnv1a128Hex,
  futureDated,
  isOwnClientOrderId,
  orderIntentId,
  orderIntentSchema,
  parseJobId,
  parseOrderSnapshot,
  QUEUE_NAMES,
  Queues,
  queueEventTime,
  queueSchemas,
  targetSchema,
  timeframeMs,
} from '../src/index';

const candle: Candle = {
  v: 1,
  exchange: 'binance',
  symbol: 'BTC/USDT',
  timeframe: '1m',
  openTime: 1_700_000_040_000,
  open: 100,
  high: 101,
  low: 99,
  close: 100.5,
  volume: 12.5,
  exchangeTime: 1_700_000_040_000,
  receivedAt: 1_700_000_100_123,
  traceContext: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
};

function issuePaths(r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) {
  return (r.error?.issues ?? []).map((i) => i.path.join('.'));
}

describe('candleSchema', () => {
  it('accepts a well-formed closed candle', () => {
    expect(candleSchema.parse(candle)).toEqual(candle);
  });
  it.each([
    ['NaN close', { close: Number.NaN }, 'close'],
    ['infinite volume', { volume: Number.POSITIVE_INFINITY }, 'volume'],
    ['negative price', { open: -1 }, 'open'],
    ['negative volume', { volume: -0.1 }, 'volume'],
    ['high below low', { high: 98 }, 'high'],
    ['low above close', { low: 100.6 }, 'low'],
    ['fractional openTime', { openTime: 1.5 }, 'openTime'],
    ['wrong version', { v: 2 }, 'v'],
    ['unknown field', { extra: 1 }, ''],
    ['bad traceparent', { traceContext: { traceparent: 'nope' } }, 'traceContext.traceparent'],
  ])('rejects %s at path %j', (_name, patch, path) => {
    const r = candleSchema.safeParse({ ...candle, ...patch });
    expect(r.success, `candle with ${JSON.stringify(patch)}`).toBe(false);
    expect(issuePaths(r)).toContain(path);
  });
});

const exampleFill = {
  v: 1,
  exchange: 'binance',
  symbol: 'BTC/USDT',
  tradeId: 't1',
  orderId: 'o1',
  clientOrderId: '3t0123',
  side: 'sell',
  price: 100,
  quantity: 0.01,
  fee: { cost: 0.0004, currency: 'USDT' },
  exchangeTime: 1,
  receivedAt: 2,
};

describe('job schemas', () => {
  it('every queue has a schema and a dead-letter name <queue>.dead', () => {
    expect(Object.keys(queueSchemas).sort()).toEqual([...QUEUE_NAMES].sort());
    expect(deadLetterQueue(Queues.candles)).toBe('candles.dead');
    for (const q of QUEUE_NAMES) expect(q, 'BullMQ forbids : in queue names').not.toContain(':');
  });
  it('features, target, intent and fill accept their examples and reject bad values', () => {
    const features = {
      v: 1,
      exchange: 'binance',
      symbol: 'BTC/USDT',
      timeframe: '1m',
      openTime: 0,
      price: 100,
      volatility: 1.2,
      marketWeight: -0.5,
      tradingRange: null,
      exchangeTime: 0,
      computedAt: 5,
    };
    expect(featuresSchema.safeParse(features).success).toBe(true);
    expect(featuresSchema.safeParse({ ...features, marketWeight: 1.5 }).success).toBe(false);
    const target = {
      v: 1,
      exchange: 'binance',
      symbol: 'BTC/USDT',
      at: 60_000,
      position: -3,
      pnlTotal: 4.2,
      voters: 3,
      price: 100,
      kelly: { kc: 0.3, kh: null },
      reason: '3 runs short',
      computedAt: 60_001,
    };
    expect(targetSchema.safeParse(target).success).toBe(true);
    expect(targetSchema.safeParse({ ...target, position: 0.5 }).success).toBe(false);
    const intentId = orderIntentId({ exchange: 'binance', symbol: 'BTC/USDT', at: 60_000 });
    const intent = {
      v: 1,
      intentId,
      clientOrderId: clientOrderId(intentId),
      exchange: 'binance',
      symbol: 'BTC/USDT',
      side: 'sell',
      type: 'limit',
      quantity: 0.01,
      limitPrice: 100,
      targetPosition: -0.01,
      currentPosition: 0,
      reason: 'vote -3',
      basedOn: 'target|binance|BTC/USDT|60000',
      createdAt: 60_000,
    };
    expect(orderIntentSchema.safeParse(intent).success).toBe(true);
    const { limitPrice: _, ...noLimit } = intent;
    expect(issuePaths(orderIntentSchema.safeParse(noLimit))).toContain('limitPrice');
    expect(orderIntentSchema.safeParse({ ...intent, quantity: 0 }).success).toBe(false);
    const fill = { ...exampleFill, clientOrderId: intent.clientOrderId };
    expect(fillSchema.safeParse(fill).success).toBe(true);
    expect(fillSchema.safeParse({ ...fill, price: 0 }).success).toBe(false);
  });

  it('a fill may carry a rebate (negative fee) or no fee at all, but no fee without a currency (issue 12, finding 6)', () => {
    const fill = { ...exampleFill, side: 'buy', fee: { cost: -0.0001, currency: 'USDT' } };
    expect(fillSchema.parse(fill).fee, 'a maker rebate').toEqual({
      cost: -0.0001,
      currency: 'USDT',
    });
    const { fee: _, ...noFee } = fill;
    expect(fillSchema.parse(noFee).fee, 'no fee reported').toBeUndefined();
    expect(
      fillSchema.parse({ ...fill, fee: { cost: 0.00001, currency: 'BTC' } }).fee?.currency,
    ).toBe('BTC');
    expect(issuePaths(fillSchema.safeParse({ ...fill, fee: { cost: 0, currency: '' } }))).toContain(
      'fee.currency',
    );
    expect(
      issuePaths(fillSchema.safeParse({ ...fill, fee: { cost: Number.NaN, currency: 'USDT' } })),
    ).toContain('fee.cost');
  });
});

describe('event time and the future bound', () => {
  it('dates a candle and its features by their close, a target by its tick', () => {
    expect(queueEventTime.candles(candle)).toBe(1_700_000_100_000);
    expect(queueEventTime.candles({ ...candle, timeframe: '4h' })).toBe(
      1_700_000_040_000 + 4 * 3_600_000,
    );
    const features = { ...candle, timeframe: '1m', openTime: 60_000 } as never;
    expect(queueEventTime.features(features)).toBe(120_000);
    expect(queueEventTime.targets({ at: 5_000 } as never)).toBe(5_000);
  });

  it('is future only beyond now + skew, and says by how much and which key allows it', () => {
    expect(futureDated(1_120_000, 1_000_000, 120_000)).toBeNull();
    expect(futureDated(1_121_000, 1_000_000, 120_000)).toBe(
      'dated 1970-01-01T00:18:41.000Z, 121 s after our clock 1970-01-01T00:16:40.000Z (allowed skew 120 s, queues.max_clock_skew_seconds)',
    );
    // beyond what a Date holds: the number, not a RangeError from toISOString
    expect(futureDated(9e15, 0, 0)).toMatch(/^dated 9000000000000000 ms, /);
  });
});

describe('job ids', () => {
  it('are deterministic, free of ":" and round-trip through parseJobId', () => {
    const id = candleJobId({ ...candle, symbol: 'BTC/USDC:USDC' });
    expect(id).toBe('candle|binance|BTC/USDC%3AUSDC|1m|1700000040000');
    expect(parseJobId(id)).toEqual(['candle', 'binance', 'BTC/USDC:USDC', '1m', '1700000040000']);
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.nat(), (symbol, openTime) => {
        const key = { exchange: 'x', symbol, timeframe: '1m', openTime };
        const jid = candleJobId(key);
        expect(jid).not.toContain(':');
        expect(jid).toBe(candleJobId({ ...key }));
        expect(parseJobId(jid)[2]).toBe(symbol);
      }),
    );
  });
  it('client order ids are 3t, 24 digits of FNV-1a 128 of the intent id and a check of them', () => {
    // Published FNV-1a 128 offset basis = hash of the empty string.
    expect(fnv1a128Hex('')).toBe('6c62272e07bb014262b821756295c58d');
    expect(fnv1a128Hex('a')).toBe('d228cb696f1a8caf78912b704e4a8964');
    // the id of intent 'a', spelled out from the published hash; the check xor-folds the hash
    const body = 'd228cb696f1a8caf78912b70';
    const words = fnv1a128Hex(`3t-check:${body}`)
      .match(/.{8}/g)!
      .map((w) => BigInt(`0x${w}`));
    const check = words
      .reduce((a, b) => a ^ b, 0n)
      .toString(16)
      .padStart(8, '0');
    expect(clientOrderId('a')).toBe(`3t${body}${check}`);
    const a = clientOrderId('intent|binance|BTC/USDT|60000|0');
    expect(a).toMatch(/^3t[0-9a-f]{32}$/);
    expect(clientOrderId('intent|binance|BTC/USDT|60000|1')).not.toBe(a);
  });
  it('tells its own client order ids from others of the same shape', () => {
    const own = clientOrderId('intent|hyperliquid|BTC/USDC:USDC|60000|0');
    expect(isOwnClientOrderId(own)).toBe(true);
    // one digit changed anywhere breaks the check
    for (let i = 2; i < own.length; i++) {
      const digit = own[i] === '0' ? '1' : '0';
      const other = `${own.slice(0, i)}${digit}${own.slice(i + 1)}`;
      expect(isOwnClientOrderId(other), `digit ${i} changed: ${other}`).toBe(false);
    }
    expect(isOwnClientOrderId('3t0123456789abcdef0123456789abcdef')).toBe(false);
    expect(isOwnClientOrderId('web_1000001')).toBe(false);
  });
  it('timeframeMs knows ccxt timeframes and rejects others', () => {
    expect(timeframeMs('1m')).toBe(60_000);
    expect(timeframeMs('4h')).toBe(14_400_000);
    expect(() => timeframeMs('1x')).toThrow(/1x/);
  });
});

describe('orderSnapshotSchema: a venue order is checked before it is stored', () => {
  const good = {
    exchange: 'binance',
    symbol: 'BTC/USDT',
    orderId: '42',
    clientOrderId: '3t0123456789abcdef0123456789abcdef',
    side: 'buy' as const,
    type: 'market' as const,
    status: 'closed' as const,
    amount: 1,
    filled: 1,
    remaining: 0,
    price: undefined,
    average: 100,
    timestamp: 1_700_000_000_000,
  };
  it('passes a well-formed order unchanged', () => {
    expect(parseOrderSnapshot(good)).toBe(good);
  });
  it.each([
    ['negative filled', { filled: -1 }, /filled/],
    ['filled beyond the amount', { filled: 2 }, /filled more than the order amount/],
    ['NaN average', { average: Number.NaN }, /average/],
    ['empty order id', { orderId: '' }, /orderId/],
    ['unknown status', { status: 'weird' }, /status/],
  ])('refuses %s as an unknown-kind exchange error', (_name, patch, message) => {
    const bad = { ...good, ...patch } as typeof good;
    expect(() => parseOrderSnapshot(bad)).toThrow(ExchangePortError);
    expect(() => parseOrderSnapshot(bad)).toThrow(message);
    try {
      parseOrderSnapshot(bad);
    } catch (err) {
      expect((err as ExchangePortError).category).toBe('unknown');
    }
  });
});
