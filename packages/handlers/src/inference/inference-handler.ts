import type { Candle, Features } from '@3t/contracts';
import { CandleConflictError, candleDifferences } from '../candle-conflict';
import { FeatureState } from './feature-state';

/** Where inference keeps the latest features of each symbol (Redis in the service). */
export interface LatestFeaturesStore {
  set(features: Features): Promise<void>;
}

/** The latest features in a Map, for the backtester and tests. */
export class InMemoryLatestFeatures implements LatestFeaturesStore {
  readonly latest = new Map<string, Features>();
  async set(features: Features): Promise<void> {
    this.latest.set(`${features.exchange}|${features.symbol}`, features);
  }
}

export interface InferenceDeps {
  readonly store: LatestFeaturesStore;
  /** Our clock in ms (computedAt). */
  readonly now: () => number;
}

/**
 * inference's handler: candle → features of its symbol, stored as the latest. Keeps one
 * FeatureState per exchange/symbol/timeframe. The symbol's last candle again (a retried job)
 * gives the same features again, to be republished under the same job id (a no-op if it was);
 * that open time with other values throws CandleConflictError (the first candle stands); an
 * older candle returns null (its features went out long ago).
 */
export function createInferenceHandler(deps: InferenceDeps) {
  const states = new Map<string, FeatureState>();
  const last = new Map<string, { candle: Candle; features: Features }>();
  return async function onCandle(candle: Candle): Promise<Features | null> {
    const key = `${candle.exchange}|${candle.symbol}|${candle.timeframe}`;
    let state = states.get(key);
    if (!state) {
      state = new FeatureState(candle.timeframe);
      states.set(key, state);
    }
    const previous = last.get(key);
    if (previous && candle.openTime === previous.candle.openTime) {
      if (candleDifferences(previous.candle, candle)) {
        throw new CandleConflictError(previous.candle, candle);
      }
      return previous.features;
    }
    if (previous && candle.openTime < previous.candle.openTime) return null;
    const features = state.update(candle, deps.now());
    last.set(key, { candle, features });
    await deps.store.set(features);
    return features;
  };
}
