import { join } from 'node:path';
import { configSchema } from '@3t/runtime';
import type { BacktestRequest } from '../../src/commands/backtest';

const REPO = new URL('../../../../', import.meta.url).pathname;
/** The bundled BTC/USDT 1m candles, 1–21 March 2023. */
export const BTC_FILE = join(REPO, 'data/ohlcv/binanceus_BTC-USDT_1m.csv');
export const BTC_DATA_FILES = [
  { path: BTC_FILE, exchange: 'binanceus', symbol: 'BTC/USDT', timeframe: '1m' },
];

// Risk limits wide enough that the Kelly-sized orders of 10,000 USDT pass (the defaults deny
// any order over 250 USDT, so a default backtest would only test denials).
export const WIDE_RISK = {
  max_order_notional: 1e6,
  max_position_notional: 1e6,
  max_daily_loss: 1e6,
};

/** A backtest request over the bundled BTC/USDT candles; `over` sets the window and the rest. */
export function btcRequest(over: Partial<BacktestRequest> = {}): BacktestRequest {
  return {
    dataFiles: BTC_DATA_FILES,
    symbols: ['BTC/USDT'],
    fromMs: null,
    toMs: null,
    timeframe: '1m',
    seed: 1,
    runs: 100,
    fee: 0.001,
    slippage: 0.0005,
    maxBadRows: 0.001,
    initialEquity: 10_000,
    threads: 1,
    leverage: {},
    fundingFiles: null,
    config: configSchema.parse({ risk: WIDE_RISK }),
    configPath: null,
    ...over,
  };
}
