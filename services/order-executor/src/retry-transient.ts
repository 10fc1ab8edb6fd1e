import { ExchangePortError } from '@3t/contracts';

export interface RetryTransientOptions {
  /** tries in all (default 8) */
  readonly attempts?: number;
  /** first pause, doubled per try (default 250 ms) */
  readonly backoffMs?: number;
  readonly onRetry?: (err: unknown, attempt: number) => void;
}

/**
 * Runs `work` again after a retryable exchange error (network, timeout, 5xx, rate limit).
 * The start reconciliation makes many exchange calls; one 429 there must not turn into an exit
 * and a restart loop, while anything else (MariaDB down, an unknown error) still throws, so the
 * process exits non-zero and its supervisor restarts it.
 */
export async function retryTransient<T>(
  work: () => Promise<T>,
  options: RetryTransientOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 8;
  let pause = options.backoffMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof ExchangePortError && err.retryable) || attempt >= attempts) throw err;
      options.onRetry?.(err, attempt);
      await new Promise((r) => setTimeout(r, pause));
      pause *= 2;
    }
  }
}
