import type { Candle, Features, Target } from '@3t/contracts';
import { createInferenceHandler, InMemoryLatestFeatures } from './inference/inference-handler';
import { Ensemble, type EnsembleOptions } from './strategy-runner/ensemble';
import { InMemoryRunStore } from './strategy-runner/run-store';
import { createStrategyHandler } from './strategy-runner/strategy-handler';

export interface InProcessResult {
  readonly features: Features[];
  readonly targets: Target[];
  readonly runs: InMemoryRunStore;
}

/**
 * candles → inference → strategy-runner in one process with the in-memory ports: the same
 * handlers the services run over BullMQ (design.md), for the backtester and to check that a
 * paper run over the same candles gives the same targets. Candles go in the order given (the
 * services see each symbol's candles in order; symbols are independent).
 */
export async function runInProcess(
  candles: Iterable<Candle>,
  ensemble: EnsembleOptions,
  now: () => number = () => 0,
): Promise<InProcessResult> {
  const latest = new InMemoryLatestFeatures();
  const runs = new InMemoryRunStore();
  const inference = createInferenceHandler({ store: latest, now });
  const strategy = createStrategyHandler({ ensemble: new Ensemble(ensemble), runs, now });
  const features: Features[] = [];
  const targets: Target[] = [];
  for (const candle of candles) {
    const f = await inference(candle);
    if (!f) continue;
    features.push(f);
    const out = await strategy.onFeatures(f);
    if (out.target) targets.push(out.target);
  }
  await strategy.flush();
  return { features, targets, runs };
}
