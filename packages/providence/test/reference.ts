/**
 * The object-per-run reference: strategy.md §3, §4 and §6 (population upkeep) written out
 * literally, one run at a time, with plain objects and arrays — weights and APRs as timestamped
 * lists that are filtered, reversed and summed on every tick, entropy by sorting every motif.
 * It shares nothing with the engine but the scalar Voms (itself checked against a trade list)
 * and the seeded generator, so agreement of the two is evidence for both.
 */
import { SeededRandom } from '@3t/trend-core';
import type { Features, ProvidenceConfig, RunParams } from '../src/index';
import { Voms } from '../src/index';

export interface RefTrade {
  time: number;
  runId: number;
  slot: number;
  symbol: string;
  side: 'buy' | 'sell';
  size: number;
  price: number;
  positionDirection: number;
}

export interface RefEnded {
  time: number;
  runId: number;
  slot: number;
  symbol: string;
  reason: 'max_duration' | 'apr_target' | 'reversal';
  endBalance: number;
}

interface RefRun {
  runId: number;
  params: RunParams;
  voms: Voms;
  positionDirection: number;
  // upstream's run state keeps values and their times in parallel lists
  weights: number[];
  weightsTimestamp: number[];
  aprs: number[];
  aprsTimestamp: number[];
  aprLast: number;
  aprChange: number;
  livePnl: number;
}

const SECONDS_PER_YEAR = 365.24 * 24 * 3600;

export class ReferencePopulation {
  readonly slots: (RefRun | null)[];
  private readonly config: ProvidenceConfig;
  private readonly rng: SeededRandom;
  private nextRunId = 1;
  private pendingStart: boolean;
  private readonly survivorUsed: boolean[];

  constructor(config: ProvidenceConfig, seed: number, startTime?: number) {
    this.config = config;
    this.rng = SeededRandom.fromSeed(seed);
    this.pendingStart = startTime === undefined;
    this.survivorUsed = config.survivors.map(() => false);
    this.slots = [];
    for (let i = 0; i < config.runCount; i++) this.slots.push(null);
    for (let i = 0; i < config.runCount; i++) {
      const params = this.draw(startTime ?? 0);
      if (params === null) break;
      this.slots[i] = this.newRun(params);
    }
  }

  tick(features: Features, now: number): { trades: RefTrade[]; ended: RefEnded[] } {
    if (this.pendingStart) {
      for (const run of this.slots) if (run) run.params.startTime = now;
      this.pendingStart = false;
    }
    const trades: RefTrade[] = [];
    const ended: RefEnded[] = [];
    const end = (slot: number, run: RefRun, reason: RefEnded['reason'], balance: number) => {
      ended.push({
        time: now,
        runId: run.runId,
        slot,
        symbol: run.params.symbol,
        reason,
        endBalance: balance,
      });
      this.slots[slot] = null;
    };
    for (let slot = 0; slot < this.slots.length; slot++) {
      const run = this.slots[slot];
      if (!run) continue;
      const p = run.params;
      const start = p.virtualBalance;
      // 1.
      const duration = now - p.startTime;
      if (duration > p.maxDuration) {
        end(slot, run, 'max_duration', run.voms.metrics()?.accountBalance ?? start);
        continue;
      }
      const f = features[p.symbol];
      if (f === undefined) continue;
      // 2.
      run.voms.updatePrice(f.price);
      run.weights.push(f.marketWeight);
      run.weightsTimestamp.push(now);
      // 3.
      const metrics = run.voms.metrics();
      const balance = metrics ? metrics.accountBalance : start;
      const apr = duration === 0 ? 0 : ((balance - start) / start) * (SECONDS_PER_YEAR / duration);
      // 4.
      if (run.aprLast === 0) run.aprChange = 0;
      else {
        run.aprChange = (apr - run.aprLast) / run.aprLast;
        if (run.aprLast < 0) run.aprChange = -run.aprChange;
      }
      run.aprs.push(apr);
      run.aprsTimestamp.push(now);
      // mean of the APRs younger than rolling_apr_minutes, summed oldest first
      let sum = 0;
      let younger = 0;
      for (let k = 0; k < run.aprs.length; k++) {
        if (now - run.aprsTimestamp[k]! < p.rollingAprMinutes * 60) {
          sum += run.aprs[k]!;
          younger++;
        }
      }
      run.aprLast = younger > 0 ? sum / younger : 0;
      dropOlder(run.weights, run.weightsTimestamp, now, (p.entropyWindowMinutes + 1) * 60);
      dropOlder(run.aprs, run.aprsTimestamp, now, (p.rollingAprMinutes + 1) * 60);
      // 5.
      const goal = volatilityGoalLiteral(f.volatility, f.price, p);
      if (apr > p.aprTarget * goal) {
        end(slot, run, 'apr_target', balance);
        continue;
      }
      // 6.
      const signs: number[] = [];
      for (let k = run.weights.length - 1; k >= 0; k--) {
        if (now - run.weightsTimestamp[k]! < p.entropyWindowMinutes * 60) {
          signs.push(Math.sign(run.weights[k]!) + 0);
        }
      }
      const entropy = signs.length > p.entropyWindowSamples ? permutationEntropy(signs) : 1;
      // 7.
      if (entropy < p.entropyMax) {
        let side: 'buy' | 'sell' = f.marketWeight <= 0 ? 'sell' : 'buy';
        if (p.systemSwing) side = side === 'buy' ? 'sell' : 'buy';
        const pd = run.positionDirection;
        const approve =
          pd === 0 ||
          (run.aprChange > 0 && ((pd > 0 && side === 'buy') || (pd < 0 && side === 'sell'))) ||
          (run.aprChange <= 0 && ((pd > 0 && side === 'sell') || (pd < 0 && side === 'buy')));
        if (approve) {
          if (pd === 0 && duration > p.maxDirectionReversal) {
            end(slot, run, 'reversal', balance);
            continue;
          }
          const marginRatio = metrics && balance > 0 ? metrics.marginUsed / balance : 0;
          const extends_ = (pd > 0 && side === 'buy') || (pd < 0 && side === 'sell');
          if (!(marginRatio > p.maxCrossMarginRatio && extends_)) {
            const tradeCondition =
              (apr >= 0 && pd <= 0 && side === 'sell') ||
              (apr <= 0 && pd < 0 && side === 'buy') ||
              (apr >= 0 && pd >= 0 && side === 'buy') ||
              (apr <= 0 && pd > 0 && side === 'sell');
            if (tradeCondition && Math.abs(pd) < this.config.maxPositionDirection) {
              const size = (((start * p.posWeight) / f.price) * p.posScaler) / p.balanceDivisor;
              run.voms.addTrade(side === 'buy' ? size : -size);
              run.positionDirection += side === 'buy' ? 1 : -1;
              trades.push({
                time: now,
                runId: run.runId,
                slot,
                symbol: p.symbol,
                side,
                size,
                price: f.price,
                positionDirection: run.positionDirection,
              });
            }
          }
        }
      }
      // 8.
      const after = run.voms.metrics();
      run.livePnl = after ? after.accountBalance - start : 0;
    }
    // Keep the population at runCount: fill empty slots, lowest first.
    for (let slot = 0; slot < this.slots.length; slot++) {
      if (this.slots[slot] !== null || this.activeCount() >= this.config.runCount) continue;
      const params = this.draw(now);
      if (params === null) break;
      this.slots[slot] = this.newRun(params);
    }
    return { trades, ended };
  }

  activeCount(): number {
    return this.slots.filter((r) => r !== null).length;
  }

  livePnls(): Map<number, { pnl: number; pd: number; symbol: string }> {
    const out = new Map<number, { pnl: number; pd: number; symbol: string }>();
    for (const r of this.slots) {
      if (r) out.set(r.runId, { pnl: r.livePnl, pd: r.positionDirection, symbol: r.params.symbol });
    }
    return out;
  }

  private newRun(params: RunParams): RefRun {
    return {
      runId: this.nextRunId++,
      params,
      voms: new Voms(params.virtualBalance, params.leverage, this.config.feeRate),
      positionDirection: 0,
      weights: [],
      weightsTimestamp: [],
      aprs: [],
      aprsTimestamp: [],
      aprLast: 0,
      aprChange: 0,
      livePnl: 0,
    };
  }

  // strategy.md §6 symbol choice, then §3 draws in their order.
  private draw(now: number): RunParams | null {
    const counts = new Map<string, number>();
    for (const r of this.slots)
      if (r) counts.set(r.params.symbol, (counts.get(r.params.symbol) ?? 0) + 1);
    const eligible = this.config.symbols.filter(
      (s) => (counts.get(s.symbol) ?? 0) / s.maxLeverage <= this.config.maxRunsPerLeverage,
    );
    for (let k = 0; k < this.config.survivors.length; k++) {
      const survivor = this.config.survivors[k]!;
      if (this.survivorUsed[k] || !eligible.some((s) => s.symbol === survivor.symbol)) continue;
      this.survivorUsed[k] = true;
      return { ...survivor, startTime: now };
    }
    if (eligible.length === 0) return null;
    const chosen = eligible[this.rng.weightedIndex(eligible.map((s) => s.maxLeverage))]!;
    const r = this.config.params;
    const rng = this.rng;
    const systemSwing = Boolean(rng.int(0, 1));
    const maxDuration = rng.int(r.maxDurationSeconds[0], r.maxDurationSeconds[1]);
    const maxDirectionReversal = Math.floor(
      maxDuration / rng.int(r.directionReversalDivisor[0], r.directionReversalDivisor[1]),
    );
    const posScaler = rng.uniform(r.posScaler[0], r.posScaler[1]) / r.posScalerDivisor;
    const aprTarget =
      rng.int(r.aprTarget[0], r.aprTarget[1]) / r.balanceDivisor / r.aprTargetDivisor;
    const minGoal = rng.int(r.minGoal[0], r.minGoal[1]) / r.minGoalDivisor;
    const maxGoal = rng.int(r.maxGoal[0], r.maxGoal[1]);
    const minGoalWeight = rng.int(r.minGoalWeight[0], r.minGoalWeight[1]) / r.goalWeightDivisor;
    const maxGoalWeight = rng.int(r.maxGoalWeight[0], r.maxGoalWeight[1]) / r.goalWeightDivisor;
    const entropyWindowMinutes = rng.int(r.entropyWindowMinutes[0], r.entropyWindowMinutes[1]);
    const entropyWindowSamples = rng.int(r.entropyWindowSamples[0], r.entropyWindowSamples[1]);
    const entropyMax = rng.int(r.entropyMax[0], r.entropyMax[1]) / r.entropyMaxDivisor;
    const rollingAprMinutes = rng.int(r.rollingAprMinutes[0], r.rollingAprMinutes[1]);
    return {
      symbol: chosen.symbol,
      systemSwing,
      maxDuration,
      maxDirectionReversal,
      posScaler,
      aprTarget,
      minGoal,
      maxGoal,
      minGoalWeight,
      maxGoalWeight,
      entropyWindowMinutes,
      entropyWindowSamples,
      entropyMax,
      rollingAprMinutes,
      balanceDivisor: r.balanceDivisor,
      maxCrossMarginRatio: r.maxCrossMarginRatio / r.balanceDivisor,
      posWeight: r.posWeight / r.posWeightDivisor,
      leverage: chosen.maxLeverage,
      virtualBalance: this.config.virtualBalance,
      startTime: now,
    };
  }
}

/** strategy.md §5 volatility goal, written out. */
export function volatilityGoalLiteral(volatility: number, price: number, p: RunParams): number {
  const lo = price * p.minGoalWeight;
  const hi = price * p.maxGoalWeight;
  if (hi === lo) return p.minGoal;
  const s = (volatility - lo) / (hi - lo);
  const goal = p.minGoal * Math.exp(s * Math.log(p.maxGoal / p.minGoal));
  return Math.min(Math.max(goal, p.minGoal), p.maxGoal);
}

/**
 * Upstream's permutation entropy (order 3, delay 1, normalised by log2 3!) of a sequence: every
 * motif argsorted (stable: ties keep their order), hashed Σ idx[k]·3^k, −Σ p·log2 p over the
 * hashes in ascending order. 0 when there is no motif.
 */
export function permutationEntropy(x: readonly number[]): number {
  const motifs = x.length - 2;
  if (motifs <= 0) return 0;
  const counts = new Array<number>(27).fill(0);
  const idx = [0, 0, 0];
  for (let i = 0; i < motifs; i++) {
    argsort3(x[i]!, x[i + 1]!, x[i + 2]!, idx);
    counts[idx[0]! + idx[1]! * 3 + idx[2]! * 9]!++;
  }
  let pe = 0;
  for (let hash = 0; hash < 27; hash++) {
    if (counts[hash] === 0) continue;
    const p = counts[hash]! / motifs;
    pe -= p * Math.log2(p);
  }
  return pe / Math.log2(6);
}

/** Stable argsort of (a, b, c) into idx: insertion sort, an equal value never passes another. */
export function argsort3(a: number, b: number, c: number, idx: number[]): void {
  const v = [a, b, c];
  idx[0] = 0;
  idx[1] = 1;
  idx[2] = 2;
  for (let i = 1; i < 3; i++) {
    const k = idx[i]!;
    let j = i - 1;
    while (j >= 0 && v[idx[j]!]! > v[k]!) {
      idx[j + 1] = idx[j]!;
      j--;
    }
    idx[j + 1] = k;
  }
}

/** Drops the values older than maxAge seconds (from the front) of a list and its time list. */
function dropOlder(values: number[], times: number[], now: number, maxAge: number): void {
  let k = 0;
  while (k < times.length && now - times[k]! > maxAge) k++;
  if (k > 0) {
    values.splice(0, k);
    times.splice(0, k);
  }
}
