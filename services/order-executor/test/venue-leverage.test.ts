// venueLeverage: what order-executor records in venue_leverage for strategy-runner's run cap. A spot
// symbol is 1 whatever exchange.leverage says, as in the backtest, so live and backtest runs are
// capped alike; a perpetual keeps its configured leverage.
import { fileURLToPath } from 'node:url';
import { CcxtExchange, MemoryPaperBroker } from '@3t/exchange';
import { configSchema } from '@3t/runtime';
import {
  fakeBinanceClient,
  fakeHyperliquidClient,
  readCandleCsv,
  startFakeExchange,
  startFakeHyperliquid,
} from '@3t/test-support';
import { describe, expect, it } from 'vitest';
import { venueLeverage } from '../src/open-venue';

const candles = readCandleCsv(
  fileURLToPath(new URL('../../../data/ohlcv/binanceus_BTC-USDT_1m.csv', import.meta.url)),
).slice(0, 20);

const configWith = (symbols: string[], leverage: Record<string, number>) =>
  configSchema.parse({ exchange: { symbols, leverage } });

describe('venueLeverage', () => {
  it('paper broker: a spot symbol at 1 whatever exchange.leverage says; a perpetual at its own', async () => {
    const broker = new MemoryPaperBroker({ startingBalance: 1000, feeRate: 0, slippageBps: 0 });
    const config = configWith(['BTC/USDT', 'ETH/USDC:USDC'], { 'BTC/USDT': 5, 'ETH/USDC:USDC': 3 });
    const resolved = await venueLeverage(
      { kind: 'paper-broker', broker, paper: null, ccxt: null },
      config,
    );
    expect(resolved.map((r) => [r.symbol, r.leverage, r.marginMode])).toEqual([
      ['BTC/USDT', 1, null],
      ['ETH/USDC:USDC', 3, null],
    ]);
  });

  it('a spot market of a ccxt venue: 1 whatever exchange.leverage says', async () => {
    const fake = await startFakeExchange({
      markets: [{ symbol: 'BTC/USDT', candles }],
      balances: { USDT: '1000' },
      clock: candles[0]!.openTime,
    });
    try {
      const ccxt = new CcxtExchange(fakeBinanceClient(fake.url, { timeout: 2000 }));
      const resolved = await venueLeverage(
        { kind: 'ccxt', broker: ccxt, paper: null, ccxt },
        configWith(['BTC/USDT'], { 'BTC/USDT': 4 }),
      );
      expect(resolved.map((r) => [r.symbol, r.leverage, r.marginMode])).toEqual([
        ['BTC/USDT', 1, null],
      ]);
    } finally {
      await fake.close();
    }
  });

  it('a perpetual of a ccxt venue: the configured leverage, set on the venue', async () => {
    const fake = await startFakeHyperliquid({
      markets: [{ symbol: 'BTC/USDC:USDC', candles, szDecimals: 5, maxLeverage: 40 }],
      balances: { USDC: '1000' },
      clock: candles[0]!.openTime,
    });
    try {
      const ccxt = new CcxtExchange(fakeHyperliquidClient(fake.url, { timeout: 2000 }));
      const resolved = await venueLeverage(
        { kind: 'ccxt', broker: ccxt, paper: null, ccxt },
        configWith(['BTC/USDC:USDC'], { 'BTC/USDC:USDC': 6 }),
      );
      expect(resolved.map((r) => [r.symbol, r.leverage, r.marginMode])).toEqual([
        ['BTC/USDC:USDC', 6, 'isolated'],
      ]);
      expect(fake.state().leverageUpdates.map((u) => [u.symbol, u.leverage])).toEqual([
        ['BTC/USDC:USDC', 6],
      ]);
    } finally {
      await fake.close();
    }
  });
});
