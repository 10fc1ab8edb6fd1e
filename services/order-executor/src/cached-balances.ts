import type { Balances, ExchangePort } from '@3t/contracts';

/**
 * The port with `fetchBalances` answered from the last answer while nothing of ours can have
 * changed it: a placement, a cancel or fills read back drop the cached value, and it is asked
 * again after `maxAgeMs` anyway (deposits, fills of orders not ours). Each target is sized with
 * the balance, so without this every target cost a balance request even when no order followed.
 */
export function cachedBalances<P extends ExchangePort>(
  port: P,
  maxAgeMs: number,
  now: () => number = Date.now,
): P {
  let cached: { balances: Balances; at: number } | null = null;
  const wrapped = Object.create(port) as P;
  const dropAfter =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>, changed: (r: R) => boolean) =>
    async (...args: A): Promise<R> => {
      try {
        const r = await fn.apply(port, args);
        if (changed(r)) cached = null;
        return r;
      } catch (err) {
        cached = null; // an uncertain outcome may have traded
        throw err;
      }
    };
  Object.assign(wrapped, {
    fetchBalances: async () => {
      if (cached && now() - cached.at < maxAgeMs) return cached.balances;
      const balances = await port.fetchBalances();
      cached = { balances, at: now() };
      return balances;
    },
    placeOrder: dropAfter(port.placeOrder, () => true),
    cancelOrder: dropAfter(port.cancelOrder, () => true),
    fetchOrderFills: dropAfter(port.fetchOrderFills, (fills) => fills.length > 0),
    fetchFills: dropAfter(port.fetchFills, (fills) => fills.length > 0),
  });
  return wrapped;
}
