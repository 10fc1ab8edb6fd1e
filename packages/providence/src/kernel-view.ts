import type { AprArena } from './apr-arena';
import type { ProvidenceConfig } from './config';
import type { RunColumns } from './run-columns';
import type { SlotOutput } from './slot-output';
import type { SymbolSeries } from './symbol-series';

/**
 * What the per-run pass reads besides `now`: a Population is one; a worker thread builds one over
 * the population's shared memory.
 */
export interface KernelView {
  readonly cols: RunColumns;
  readonly series: SymbolSeries;
  readonly arena: Pick<AprArena, 'rings' | 'width' | 'capacity' | 'columnMajor'>;
  readonly headRow: Int32Array;
  readonly tailRow: Int32Array;
  readonly config: Pick<ProvidenceConfig, 'feeRate' | 'maxPositionDirection'>;
  readonly limits: { readonly maxEntropyMax: number };
}

/**
 * A batch of prepared ticks (issue 17): for each tick of the batch, what the per-run pass reads
 * of that tick — the series' per-tick fields and the APR ring rows, copied when the tick was
 * appended — as a KernelView over the population's own run columns, rings and weight-sign
 * prefixes. The series can then run ahead by a whole batch and the per-run passes of the batch's
 * ticks follow on other threads, one wake-up per batch instead of per tick.
 */
export interface TickFrames {
  /** Ticks a batch holds. */
  readonly size: number;
  readonly views: readonly KernelView[];
  /** Each tick's output over every slot, in slot order (filled by advanceFrames). */
  readonly outs: readonly SlotOutput[];
  /** Live PnLs by slot after a batch's last tick, when advanceFrames was asked for them. */
  readonly pnls: Float64Array;
}
