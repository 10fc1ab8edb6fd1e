import { fileURLToPath } from 'node:url';
import {
  fakeBinanceClient,
  fakeHyperliquidClient,
  readCandleCsv,
  startFakeExchange,
  startFakeHyperliquid,
} from '@3t/test-support';
import { describe, expect, it } from 'vitest';
import { CcxtExchange, configureLeverage, resolveLeverage } from '../src/index';
import { refusal } from './support';

const perp = (max: number) => ({ contract: true, limits: { leverage: { max } } });

describe('resolveLeverage', () => {
  it.each([
    // [config, market max, contract, expected leverage, expected margin mode]
    [{ 'X/USDC:USDC': 5 }, 40, true, 5, 'isolated'],
    [{}, 40, true, 40, 'isolated'],
    [{}, undefined, true, 1, 'isolated'],
    // a market that is not a contract trades at 1, whatever the config says
    [{ 'X/USDC:USDC': 3 }, undefined, false, 1, null],
    [{ 'X/USDC:USDC': 3 }, 10, false, 1, null],
    [{}, undefined, false, 1, null],
  ] as const)(
    'config %j, market max %s, contract %s → %s× %s',
    (config, max, contract, leverage, mode) => {
      const markets = { 'X/USDC:USDC': { contract, limits: { leverage: { max } } } };
      const [r] = resolveLeverage(['X/USDC:USDC'], markets, {
        leverage: config,
        marginMode: 'isolated',
      });
      expect(r).toEqual({
        symbol: 'X/USDC:USDC',
        leverage,
        marketMax: max ?? null,
        marginMode: mode,
      });
    },
  );

  it('without markets (the paper broker): spot at 1 whatever the config says, perpetuals at theirs', () => {
    const resolved = resolveLeverage(
      ['BTC/USDT', 'BTC/USDC:USDC', 'ETH/USDC:USDC'],
      {},
      {
        leverage: { 'BTC/USDT': 5, 'BTC/USDC:USDC': 7 },
        marginMode: 'isolated',
      },
    );
    expect(resolved.map((r) => [r.symbol, r.leverage, r.marketMax, r.marginMode])).toEqual([
      ['BTC/USDT', 1, null, null],
      ['BTC/USDC:USDC', 7, null, null],
      ['ETH/USDC:USDC', 1, null, null],
    ]);
  });

  it('refuses a configured leverage above the market maximum, naming the key and the fix', () => {
    expect(() =>
      resolveLeverage(
        ['BTC/USDC:USDC'],
        { 'BTC/USDC:USDC': perp(40) },
        {
          leverage: { 'BTC/USDC:USDC': 50 },
          marginMode: 'cross',
        },
      ),
    ).toThrow(/exchange\.leverage\.BTC\/USDC:USDC is 50 .* at most 40/);
  });
});

describe('configureLeverage on the fake Hyperliquid', () => {
  const candles = readCandleCsv(
    fileURLToPath(new URL('../../../data/ohlcv/binanceus_BTC-USDT_1m.csv', import.meta.url)),
  ).slice(0, 50);

  it('sets each perpetual to its leverage and margin mode with one updateLeverage, signed', async () => {
    const fake = await startFakeHyperliquid({
      markets: [
        { symbol: 'BTC/USDC:USDC', candles, szDecimals: 5, maxLeverage: 40 },
        { symbol: 'ETH/USDC:USDC', price: '1500', szDecimals: 4, maxLeverage: 25 },
      ],
      balances: { USDC: '1000' },
    });
    try {
      const port = new CcxtExchange(fakeHyperliquidClient(fake.url));
      const resolved = await configureLeverage(port, ['BTC/USDC:USDC', 'ETH/USDC:USDC'], {
        leverage: { 'ETH/USDC:USDC': 7 },
        marginMode: 'isolated',
      });
      expect(resolved.map((r) => [r.symbol, r.leverage, r.marketMax, r.marginMode])).toEqual([
        ['BTC/USDC:USDC', 40, 40, 'isolated'],
        ['ETH/USDC:USDC', 7, 25, 'isolated'],
      ]);
      const state = fake.state();
      expect(state.leverageUpdates.map((u) => [u.symbol, u.leverage, u.marginMode])).toEqual([
        ['BTC/USDC:USDC', 40, 'isolated'],
        ['ETH/USDC:USDC', 7, 'isolated'],
      ]);
      const actions = state.signedActions.filter((a) => a.type === 'updateLeverage');
      expect(
        actions.map((a) => [a.action['asset'], a.action['isCross'], a.action['leverage']]),
      ).toEqual([
        [0, false, 40],
        [1, false, 7],
      ]);
      // r and s are 256-bit numbers as ccxt writes them: hex without leading zeros
      expect(actions.every((a) => /^0x[0-9a-f]{1,64}$/.test(a.signature.r))).toBe(true);
      // the venue refuses a change of margin mode while a position is open
      fake.venue.position('BTC').size = '0.01';
      const err = await refusal(
        configureLeverage(port, ['BTC/USDC:USDC'], { leverage: {}, marginMode: 'cross' }),
      );
      expect(err.message).toMatch(/Cannot switch leverage type with open position/);
      await port.close();
    } finally {
      await fake.close();
    }
  });
});

describe('configureLeverage on the fake Binance (USDⓈ-M perpetuals)', () => {
  it('sets the margin mode (marginType) and then the leverage, each through its own call', async () => {
    const fake = await startFakeExchange({
      markets: [{ symbol: 'ETH/USDT:USDT', price: '2000', maxLeverage: 50 }],
      balances: { USDT: '1000' },
    });
    try {
      const port = new CcxtExchange(
        fakeBinanceClient(fake.url, { options: { fetchMarkets: { types: ['linear'] } } }),
      );
      const [resolved] = await configureLeverage(port, ['ETH/USDT:USDT'], {
        leverage: { 'ETH/USDT:USDT': 5 },
        marginMode: 'isolated',
      });
      expect([resolved?.leverage, resolved?.marginMode]).toEqual([5, 'isolated']);
      // the fake starts cross at its maximum: both settings changed, in Binance's order
      expect(fake.state().leverageUpdates.map((u) => [u.leverage, u.marginMode])).toEqual([
        [50, 'isolated'],
        [5, 'isolated'],
      ]);
      expect(fake.venue.position('ETH')).toMatchObject({ leverage: 5, marginMode: 'isolated' });
      // at the next start the margin mode is already set: Binance answers -4046, which is done
      await configureLeverage(port, ['ETH/USDT:USDT'], {
        leverage: { 'ETH/USDT:USDT': 5 },
        marginMode: 'isolated',
      });
      expect(fake.venue.position('ETH')).toMatchObject({ leverage: 5, marginMode: 'isolated' });
      await port.close();
    } finally {
      await fake.close();
    }
  });
});
