import { describe, expect, it } from 'vitest';
import { reuseAnswer } from '../src/reuse-answer';

describe('reuseAnswer', () => {
  it('reads once per window of the clock, again after it, and keeps no failed read', async () => {
    let t = 1_000;
    let reads = 0;
    let fail = false;
    const read = reuseAnswer(
      async () => {
        reads++;
        if (fail) throw new Error('MariaDB down');
        return reads * 10;
      },
      1_000,
      () => t,
    );
    expect(await read()).toBe(10);
    t = 1_999;
    expect(await read(), 'within the window: the kept answer').toBe(10);
    expect(reads).toBe(1);
    t = 2_000;
    expect(await read(), 'at the window end: read again').toBe(20);
    t = 1_500;
    expect(await read(), 'a clock that went back: read again').toBe(30);
    fail = true;
    t = 5_000;
    await expect(read()).rejects.toThrow('MariaDB down');
    fail = false;
    expect(await read(), 'the failure was not kept').toBe(50);
    expect(reads).toBe(5);
  });
});
