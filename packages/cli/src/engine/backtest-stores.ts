import {
  type Fill,
  OPEN_INTENT_STATUSES,
  type OrderIntent,
  type OrderIntentStatus,
} from '@3t/contracts';
import {
  type IntentRecord,
  type IntentUpdate,
  MemoryIntentStore,
  MemoryPositionStore,
} from '@3t/handlers';

const OPEN: ReadonlySet<OrderIntentStatus> = new Set(OPEN_INTENT_STATUSES);

/**
 * order-executor's in-memory outbox with two indexes a long backtest needs: the open intents
 * (settled before every target) and the submission times (risk's orders-per-minute), so neither
 * scans every intent of a year. Same contract and same answers as MemoryIntentStore.
 */
export class BacktestIntentStore extends MemoryIntentStore {
  private readonly open = new Map<string, true>();
  /** submission times in the order they happened (event time only grows in a backtest) */
  private readonly submitted: number[] = [];

  override async insertIntent(
    intent: OrderIntent,
    status: OrderIntentStatus,
    reason: string | null,
  ): Promise<IntentRecord> {
    const record = await super.insertIntent(intent, status, reason);
    if (OPEN.has(record.status)) this.open.set(intent.intentId, true);
    return record;
  }

  override async transition(
    intentId: string,
    from: OrderIntentStatus,
    owner: string,
    claimUntil: number,
    u: IntentUpdate,
  ): Promise<boolean> {
    const before = this.records.get(intentId)?.submittedAt ?? null;
    if (!(await super.transition(intentId, from, owner, claimUntil, u))) return false;
    const after = this.records.get(intentId)!;
    if (before === null && after.submittedAt !== null)
      insertSorted(this.submitted, after.submittedAt);
    if (OPEN.has(after.status)) this.open.set(intentId, true);
    else this.open.delete(intentId);
    return true;
  }

  override async openIntents(): Promise<IntentRecord[]> {
    const out: IntentRecord[] = [];
    for (const id of this.open.keys()) out.push(this.records.get(id)!);
    return out;
  }

  override async countSubmittedSince(since: number): Promise<number> {
    const s = this.submitted;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid]! < since) lo = mid + 1;
      else hi = mid;
    }
    return s.length - lo;
  }
}

function insertSorted(list: number[], x: number): void {
  let i = list.length;
  while (i > 0 && list[i - 1]! > x) i--;
  list.splice(i, 0, x);
}

/** order-executor's in-memory fills and positions, also listing each new fill in order. */
export class BacktestPositionStore extends MemoryPositionStore {
  readonly newFills: Fill[] = [];

  override async recordFill(fill: Fill): Promise<boolean> {
    const added = await super.recordFill(fill);
    if (added) this.newFills.push(fill);
    return added;
  }
}
