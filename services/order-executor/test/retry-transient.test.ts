import { ExchangePortError } from '@3t/contracts';
import { describe, expect, it } from 'vitest';
import { retryTransient } from '../src/retry-transient';

function failing(errors: unknown[]): { work: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    work: async () => {
      const err = errors[calls++];
      if (err) throw err;
      return 'done';
    },
    calls: () => calls,
  };
}

describe('retryTransient (start reconciliation against a flaky venue)', () => {
  it('retries a 429 and a 503 and returns the result of the third try', async () => {
    const f = failing([
      new ExchangePortError('rate-limited', '429'),
      new ExchangePortError('exchange-not-available', '503'),
    ]);
    const retried: number[] = [];
    await expect(
      retryTransient(f.work, { backoffMs: 1, onRetry: (_e, n) => retried.push(n) }),
    ).resolves.toBe('done');
    expect(f.calls()).toBe(3);
    expect(retried).toEqual([1, 2]);
  });

  it('throws a non-retryable error at once (unknown exchange error, MariaDB down): the process exits and is restarted', async () => {
    for (const err of [new ExchangePortError('unknown', 'weird'), new Error('ECONNREFUSED')]) {
      const f = failing([err]);
      await expect(retryTransient(f.work, { backoffMs: 1 })).rejects.toBe(err);
      expect(f.calls(), String(err)).toBe(1);
    }
  });

  it('gives up after the given number of tries with the last error', async () => {
    const errs = [1, 2, 3].map((i) => new ExchangePortError('timeout', `t${i}`));
    const f = failing(errs);
    await expect(retryTransient(f.work, { attempts: 3, backoffMs: 1 })).rejects.toBe(errs[2]);
    expect(f.calls()).toBe(3);
  });
});
