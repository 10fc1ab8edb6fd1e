import type { Balances, ExchangePort, Fill } from '@3t/contracts';

/** The port plus a way to drop the kept balance (reconciliation, fills seen elsewhere). */
export type BalanceCachingPort<P extends ExchangePort> = P & {
  /** the next fetchBalances asks the venue again */
  dropBalances(): void;
  /** `applyPrice` of the paper venue, dropping the kept balance when it filled anything */
  noteFills(fills: readonly Fill[]): void;
};

/**
 * The port with `fetchBalances` answered from the last answer while nothing of ours can have
 * changed it: a placement, a cancel or fills read back drop the cached value (and so do paper fills
 * passed to noteFills, and every reconciliation pass through dropBalances); it is asked again after
 * `maxAgeMs` anyway (deposits, fills of orders not ours, another replica's orders). Each target is
 * sized with the balance, so without this every target cost a balance request (a MariaDB read on
 * the paper venue) even when no order followed. The balance is a sizing input only: no risk rule
 * reads it, and the venue refuses an order the account cannot pay (docs/reliability.md).
 */
export function cachedBalances<P extends ExchangePort>(
  port: P,
  maxAgeMs: number,
  now: () => number = Date.now,
): BalanceCachingPort<P> {
  let cached: { balances: Balances; at: number } | null = null;
  /** bumped by every drop: an answer asked before a drop is not kept after it */
  let generation = 0;
  const drop = () => {
    cached = null;
    generation++;
  };
  const wrapped = Object.create(port) as BalanceCachingPort<P>;
  const dropAfter =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>, changed: (r: R) => boolean) =>
    async (...args: A): Promise<R> => {
      try {
        const r = await fn.apply(port, args);
        if (changed(r)) drop();
        return r;
      } catch (err) {
        drop(); // an uncertain outcome may have traded
        throw err;
      }
    };
  Object.assign(wrapped, {
    fetchBalances: async () => {
      if (cached && now() - cached.at < maxAgeMs) return cached.balances;
      const asked = generation;
      const at = now();
      const balances = await port.fetchBalances();
      if (asked === generation) cached = { balances, at };
      return balances;
    },
    placeOrder: dropAfter(port.placeOrder, () => true),
    cancelOrder: dropAfter(port.cancelOrder, () => true),
    fetchOrderFills: dropAfter(port.fetchOrderFills, (fills) => fills.length > 0),
    fetchFills: dropAfter(port.fetchFills, (fills) => fills.length > 0),
    dropBalances: drop,
    noteFills: (fills: readonly Fill[]) => {
      if (fills.length > 0) drop();
    },
  });
  return wrapped;
}
