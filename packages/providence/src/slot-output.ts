/**
 * Where the per-run pass writes a tick's endings and trades, in slot order: counts, then columns
 * (grown on demand; a worker thread's output is sized to its slot range and never grows).
 */
export interface SlotOutput {
  ends: number;
  endSlot: Int32Array;
  /** Index into REASONS. */
  endReason: Int32Array;
  endBalance: Float64Array;
  trades: number;
  tradeSlot: Int32Array;
  tradeRunId: Float64Array;
  tradeSymbol: Int32Array;
  tradeSize: Float64Array;
  tradePrice: Float64Array;
  tradePd: Int32Array;
}

/** An empty output with room for `n` endings and `n` trades (`shared`: on SharedArrayBuffers). */
export function slotOutput(n: number, shared = false): SlotOutput {
  const size = Math.max(1, n);
  const mem = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  return {
    ends: 0,
    endSlot: new Int32Array(mem(4 * size)),
    endReason: new Int32Array(mem(4 * size)),
    endBalance: new Float64Array(mem(8 * size)),
    trades: 0,
    tradeSlot: new Int32Array(mem(4 * size)),
    tradeRunId: new Float64Array(mem(8 * size)),
    tradeSymbol: new Int32Array(mem(4 * size)),
    tradeSize: new Float64Array(mem(8 * size)),
    tradePrice: new Float64Array(mem(8 * size)),
    tradePd: new Int32Array(mem(4 * size)),
  };
}

function grown<T extends Int32Array | Float64Array>(a: T, min: number): T {
  const next = new (a.constructor as new (n: number) => T)(Math.max(min, a.length * 2));
  next.set(a);
  return next;
}

export function growEnds(out: SlotOutput, min: number): void {
  out.endSlot = grown(out.endSlot, min);
  out.endReason = grown(out.endReason, min);
  out.endBalance = grown(out.endBalance, min);
}

export function growTrades(out: SlotOutput, min: number): void {
  out.tradeSlot = grown(out.tradeSlot, min);
  out.tradeRunId = grown(out.tradeRunId, min);
  out.tradeSymbol = grown(out.tradeSymbol, min);
  out.tradeSize = grown(out.tradeSize, min);
  out.tradePrice = grown(out.tradePrice, min);
  out.tradePd = grown(out.tradePd, min);
}

/**
 * Appends the first `ends` endings and `trades` trades of `from` to `to` (a later slot range after
 * an earlier one keeps slot order).
 */
export function appendOutput(to: SlotOutput, from: SlotOutput, ends: number, trades: number): void {
  if (ends > 0) {
    if (to.ends + ends > to.endSlot.length) growEnds(to, to.ends + ends);
    to.endSlot.set(from.endSlot.subarray(0, ends), to.ends);
    to.endReason.set(from.endReason.subarray(0, ends), to.ends);
    to.endBalance.set(from.endBalance.subarray(0, ends), to.ends);
    to.ends += ends;
  }
  if (trades > 0) {
    if (to.trades + trades > to.tradeSlot.length) growTrades(to, to.trades + trades);
    to.tradeSlot.set(from.tradeSlot.subarray(0, trades), to.trades);
    to.tradeRunId.set(from.tradeRunId.subarray(0, trades), to.trades);
    to.tradeSymbol.set(from.tradeSymbol.subarray(0, trades), to.trades);
    to.tradeSize.set(from.tradeSize.subarray(0, trades), to.trades);
    to.tradePrice.set(from.tradePrice.subarray(0, trades), to.trades);
    to.tradePd.set(from.tradePd.subarray(0, trades), to.trades);
    to.trades += trades;
  }
}

/**
 * Merges two outputs of disjoint slots, each in slot order, into `to` (emptied first), in slot
 * order: endings by endSlot, trades by tradeSlot.
 */
export function mergeOutputs(a: SlotOutput, b: SlotOutput, to: SlotOutput): void {
  to.ends = 0;
  to.trades = 0;
  if (a.ends + b.ends > to.endSlot.length) growEnds(to, a.ends + b.ends);
  let i = 0;
  let j = 0;
  while (i < a.ends || j < b.ends) {
    const fromA = j >= b.ends || (i < a.ends && a.endSlot[i]! < b.endSlot[j]!);
    const src = fromA ? a : b;
    const k = fromA ? i++ : j++;
    const n = to.ends++;
    to.endSlot[n] = src.endSlot[k]!;
    to.endReason[n] = src.endReason[k]!;
    to.endBalance[n] = src.endBalance[k]!;
  }
  if (a.trades + b.trades > to.tradeSlot.length) growTrades(to, a.trades + b.trades);
  i = 0;
  j = 0;
  while (i < a.trades || j < b.trades) {
    const fromA = j >= b.trades || (i < a.trades && a.tradeSlot[i]! < b.tradeSlot[j]!);
    const src = fromA ? a : b;
    const k = fromA ? i++ : j++;
    const n = to.trades++;
    to.tradeSlot[n] = src.tradeSlot[k]!;
    to.tradeRunId[n] = src.tradeRunId[k]!;
    to.tradeSymbol[n] = src.tradeSymbol[k]!;
    to.tradeSize[n] = src.tradeSize[k]!;
    to.tradePrice[n] = src.tradePrice[k]!;
    to.tradePd[n] = src.tradePd[k]!;
  }
}
