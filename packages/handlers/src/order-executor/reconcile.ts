import { isOwnClientOrderId, type OrderIntentStatus } from '@3t/contracts';
import { QTY_EPSILON } from './apply-fill';
import { currentClientOrderId } from './current-client-order-id';
import { type ExecuteDeps, executeIntent, isTransientExchangeError } from './execute-intent';
import type { Difference, ReconciliationRecord } from './ports';

export interface ReconcileOptions {
  readonly trigger: ReconciliationRecord['trigger'];
  /** symbols traded (config) — positions and fills of these are compared */
  readonly symbols: readonly string[];
}

/**
 * Fills are read back from the last stored fill's exchange time minus this overlap: a fill of an
 * order still open in the outbox is found by step 1 through its client order id, so only fills
 * stamped a moment out of order need the overlap (merged by trade id, at no cost).
 */
const FILL_OVERLAP_MS = 5_000;

/**
 * Reconciliation (issue 7 item 3, upstream every 15 min, and at every start = recovery):
 * 1. every open outbox intent is resolved with the exchange through executeIntent, under the
 *    intent's claim and with every placement gate (halts, age, lookup window) — the same path
 *    as the target step, so a pass never places what the worker is placing;
 * 2. 3T's open orders left at the exchange are cancelled (upstream cancels unfilled orders each
 *    round); orders without 3T's client id prefix are not ours: counted and left alone;
 * 3. the exchange's fills of each symbol since our last stored one are stored (idempotent by
 *    trade id) — lost fills repaired;
 * 4. the position from our fills is compared with the exchange's less the baseline (holdings
 *    found at the first complete pass are not 3T's), under the symbol's lock and only while none
 *    of its intents is open; a difference no fill explains halts the symbol. Everything is recorded in `reconciliations`.
 * A step that meets a transient exchange error (network, 5xx, 429) is recorded as `skipped` and
 * left to the next round instead of failing the whole pass; a symbol with a skipped step is not
 * compared (its fills may be incomplete), so only a difference measured on complete data halts.
 */
export async function reconcile(
  deps: ExecuteDeps,
  options: ReconcileOptions,
): Promise<ReconciliationRecord> {
  const startedAt = deps.clock.now();
  const differences: Difference[] = [];
  const exchange = deps.broker.id;
  const incomplete = new Set<string>();
  /** Runs a step; a transient exchange error marks `symbol` incomplete instead of throwing. */
  const step = async (symbol: string, what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (err) {
      if (!isTransientExchangeError(err)) throw err;
      incomplete.add(symbol);
      const message = err instanceof Error ? err.message : String(err);
      differences.push({
        kind: 'skipped',
        symbol,
        ours: what,
        theirs: message.slice(0, 200),
        action: 'none',
      });
    }
  };

  for (const record of await deps.intents.openIntents()) {
    const symbol = record.intent.symbol;
    await step(symbol, `intent ${record.intent.intentId}`, async () => {
      const outcome = await executeIntent(record, deps);
      if (outcome.status === 'busy') {
        incomplete.add(symbol); // another process is working on it: its fills may be on the way
        differences.push({
          kind: 'claimed',
          symbol,
          ours: record.intent.intentId,
          theirs: `claimed until ${record.claimExpiresAt ?? '?'}`,
          action: 'none',
        });
        return;
      }
      if (outcome.status !== record.status && !isStillOpen(outcome.status)) {
        differences.push({
          kind: 'intent_unresolved',
          symbol,
          ours: record.status,
          theirs: outcome.status,
          action: outcome.status === 'halted' ? 'halted' : 'repaired',
        });
      }
    });
  }

  for (const symbol of options.symbols) {
    await step(symbol, 'open orders', async () => {
      for (const order of await deps.broker.fetchOpenOrders(symbol)) {
        if (!isOwnClientOrderId(order.clientOrderId)) {
          deps.events?.foreignOrder?.(symbol, order.clientOrderId);
          continue;
        }
        const intent = await findIntentByClientId(deps, order.clientOrderId);
        if (
          intent &&
          intent.claimOwner !== null &&
          (intent.claimExpiresAt ?? 0) >= deps.clock.now()
        ) {
          continue; // in flight at its claim holder: not stale
        }
        const cancelled = await deps.broker.cancelOrder(symbol, order.clientOrderId);
        const final = cancelled ?? (await deps.broker.fetchOrder(symbol, order.clientOrderId));
        if (final) {
          await deps.intents.recordOrder(final);
          if (intent) await executeIntent(intent, deps, { allowPlace: false });
        }
        differences.push({
          kind: 'stale_order',
          symbol,
          ours: 'open',
          theirs: final?.status ?? 'gone',
          action: 'repaired',
        });
      }
    });
    await step(symbol, 'fills', async () => {
      const last = (await deps.positions.position(exchange, symbol)).lastFillTime;
      const fills = await deps.broker.fetchFills(
        symbol,
        last === null ? {} : { since: Math.max(0, last - FILL_OVERLAP_MS) },
      );
      let repaired = 0;
      for (const fill of fills) {
        if (await deps.positions.recordFill(fill)) repaired++;
      }
      if (repaired > 0) {
        differences.push({
          kind: 'missing_fill',
          symbol,
          ours: 'absent',
          theirs: `${repaired} fills`,
          action: 'repaired',
        });
      }
    });
  }

  const complete = options.symbols.filter((s) => !incomplete.has(s));
  await step('*', 'positions and balances', async () => {
    for (const symbol of complete) {
      // Compared under the symbol's lock, so no target step (of any replica) places for it
      // between the two reads, and only while none of its intents is open: an intent in flight
      // elsewhere, or one whose fills the venue does not list yet, would make a difference that
      // no fill explains *yet* — and halt the symbol for good.
      await deps.intents.withSymbolLock(symbol, async () => {
        const open = (await deps.intents.openIntents()).filter((r) => r.intent.symbol === symbol);
        if (open.length > 0) {
          differences.push({
            kind: 'skipped',
            symbol,
            ours: 'position',
            theirs: `not compared: intent ${open.map((r) => r.intent.intentId).join(', ')} open`,
            action: 'none',
          });
          return;
        }
        const [theirs] = await deps.broker.fetchPositions([symbol]);
        if (!theirs) return;
        const ours = (await deps.positions.position(exchange, symbol)).quantity;
        const baseline = await deps.intents.accountBaseline(
          symbol,
          theirs.quantity,
          ours,
          deps.clock.now(),
        );
        const expected = theirs.quantity - baseline;
        if (Math.abs(expected - ours) > Math.max(QTY_EPSILON, Math.abs(expected) * 1e-9)) {
          const reason = `position of ${symbol}: ours ${ours}, exchange ${expected}, not explained by any fill`;
          await deps.intents.setHalt(symbol, true, reason, deps.clock.now());
          deps.events?.positionMismatch?.(symbol);
          differences.push({
            kind: 'position',
            symbol,
            ours: String(ours),
            theirs: String(expected),
            action: 'halted',
          });
        }
      });
    }
    await deps.positions.recordBalances(
      exchange,
      await deps.broker.fetchBalances(),
      deps.clock.now(),
      'reconciliation',
    );
  });

  const halted = differences.some((d) => d.action === 'halted');
  const skipped = differences.filter((d) => d.kind === 'skipped' || d.kind === 'claimed').length;
  const record: ReconciliationRecord = {
    key: `${options.trigger}|${startedAt}`,
    trigger: options.trigger,
    status: halted ? 'halted' : differences.length > skipped ? 'repaired' : 'ok',
    startedAt,
    finishedAt: deps.clock.now(),
    differences,
    summary: `${differences.length - skipped} differences${skipped > 0 ? `; ${skipped} steps skipped on transient exchange errors or intents claimed elsewhere (next round)` : ''}${halted ? '; trading halted for a symbol' : ''}`,
  };
  await deps.intents.recordReconciliation(record);
  return record;
}

async function findIntentByClientId(deps: ExecuteDeps, clientOrderId: string) {
  const open = await deps.intents.openIntents();
  return open.find((r) => currentClientOrderId(r) === clientOrderId) ?? null;
}

function isStillOpen(status: OrderIntentStatus | 'halted' | 'busy'): boolean {
  return status === 'pending' || status === 'submitted' || status === 'partially_filled';
}
