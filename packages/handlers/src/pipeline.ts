import type { Candle, Features, Target } from '@3t/contracts';
import { createInferenceHandler, InMemoryLatestFeatures } from './inference/inference-handler';
import { Ensemble, type EnsembleOptions } from './strategy-runner/ensemble';
import { InMemoryRunStore } from './strategy-runner/run-store';
import { createStrategyHandler } from './strategy-runner/strategy-handler';

export interface InProcessOptions {
  /** the event clock the handlers read (the backtest moves it to each candle's close) */
  readonly now?: () => number;
  /** the account-equity port of strategy-runner's epochs; none: epochs do not run */
  readonly equity?: () => Promise<number | null>;
  /** called before a candle enters inference (the backtest sets its clock here) */
  readonly beforeCandle?: (candle: Candle) => void;
  /** each target, as order-executor's worker would take it (the backtest runs the order step) */
  readonly onTarget?: (target: Target) => Promise<void>;
  /** called after a candle went through every hop */
  readonly afterCandle?: (candle: Candle, index: number) => Promise<void> | void;
  /** keep every features job and target in the result (default true; a long backtest says no) */
  readonly collect?: boolean;
}

export interface InProcessResult {
  readonly features: Features[];
  readonly targets: Target[];
  readonly runs: InMemoryRunStore;
  readonly ensemble: Ensemble;
  /** run updates the ensemble made (active runs × ticks) */
  readonly runUpdates: number;
}

/**
 * candles → inference → strategy-runner (→ `onTarget`: order-executor's step) in one process with
 * the in-memory ports: the same handlers the services run over BullMQ (design.md). `3t backtest`
 * runs exactly this, with the order step and its equity book in the hooks; the e2e tests compare
 * the services' targets with it. Candles go in the order given (the services see each symbol's
 * candles in order; symbols are independent).
 */
export async function runInProcess(
  candles: Iterable<Candle>,
  ensemble: EnsembleOptions | Ensemble,
  options: InProcessOptions = {},
): Promise<InProcessResult> {
  const now = options.now ?? (() => 0);
  const collect = options.collect ?? true;
  const runs = new InMemoryRunStore();
  const population = ensemble instanceof Ensemble ? ensemble : new Ensemble(ensemble);
  const inference = createInferenceHandler({ store: new InMemoryLatestFeatures(), now });
  const strategy = createStrategyHandler({
    ensemble: population,
    runs,
    now,
    ...(options.equity ? { equity: options.equity } : {}),
  });
  const features: Features[] = [];
  const targets: Target[] = [];
  let runUpdates = 0;
  let index = 0;
  for (const candle of candles) {
    options.beforeCandle?.(candle);
    const f = await inference(candle);
    if (f) {
      if (collect) features.push(f);
      const out = await strategy.onFeatures(f);
      runUpdates += out.runUpdates;
      if (out.target) {
        if (collect) targets.push(out.target);
        await options.onTarget?.(out.target);
      }
    }
    await options.afterCandle?.(candle, index++);
  }
  await strategy.flush();
  return { features, targets, runs, ensemble: population, runUpdates };
}
