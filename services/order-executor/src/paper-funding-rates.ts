import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isPerpetual } from '@3t/contracts';
import { createCcxtExchange, fundingCsvName, rateAt, readFundingCsv } from '@3t/exchange';
import type { FundingRateLookup } from '@3t/handlers';
import type { Config } from '@3t/runtime';

/** A venue's rate row counts for a funding time within this of it. */
const MATCH_MS = 60_000;

/**
 * Where the paper venue of order-executor takes funding rates from (issue 15): with
 * `feed.source: replay`, the funding-rate files beside the replayed candles (a perpetual without
 * one fails at start, naming the file and how to get it); with `feed.source: exchange`, the
 * venue's funding-rate history through ccxt (public data, no credentials).
 */
export function paperFundingRates(config: Config, cwd = process.cwd()): FundingRateLookup {
  const perps = config.exchange.symbols.filter(isPerpetual);
  if (config.feed.source === 'replay') {
    const series = new Map(
      perps.map((symbol) => {
        const path = join(
          resolve(cwd, config.feed.replay_dir),
          fundingCsvName(config.exchange.id, symbol),
        );
        if (!existsSync(path)) {
          throw new Error(
            `feed.replay_dir: no funding rates for the perpetual ${symbol} (${path}); fetch them with 3t data download --exchange ${config.exchange.id} --symbol ${symbol}`,
          );
        }
        return [symbol, readFundingCsv(path)] as const;
      }),
    );
    return async (symbol, t) => {
      const s = series.get(symbol);
      return s && rateAt(s, t);
    };
  }
  const venue = createCcxtExchange({
    id: config.exchange.id,
    baseUrl: config.exchange.base_url,
    timeoutMs: config.exchange.timeout_ms,
    ...(config.exchange.base_url ? { options: { fetchMarkets: { types: ['linear'] } } } : {}),
  });
  return async (symbol, t) => {
    const rows = await venue.fetchFundingRates(symbol, { since: t - MATCH_MS, limit: 5 });
    return rows.find((r) => Math.abs(r.time - t) <= MATCH_MS)?.rate;
  };
}
