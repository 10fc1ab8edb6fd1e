/**
 * `read` with its last answer reused for `ms` of `now()`: strategy-runner asks for the account
 * equity before every features job, and in a replay or a burst of symbols (every symbol's candle
 * of the minute arrives at once) that was one MariaDB round trip per job for a number
 * order-executor writes after its fills and orders and every 10 s. A failed read is not kept.
 */
export function reuseAnswer<T>(read: () => Promise<T>, ms: number, now: () => number = Date.now) {
  let kept: { value: T; at: number } | null = null;
  return async (): Promise<T> => {
    const at = now();
    if (kept && at - kept.at < ms && at >= kept.at) return kept.value;
    const value = await read();
    kept = { value, at };
    return value;
  };
}
