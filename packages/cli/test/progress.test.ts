import { describe, expect, it } from 'vitest';
import { createProgress } from '../src/index';
import { captureIo } from './helpers/capture-io';

describe('createProgress', () => {
  it('prints a plain line per 10 % when stderr is not a terminal', () => {
    const io = captureIo();
    const p = createProgress(io, 'backtest', 1000, { unit: 'candles' });
    for (let i = 1; i <= 1000; i++) p.update(i);
    p.finish();
    const lines = io.stderr.trim().split('\n');
    expect(lines[0]).toBe('backtest: started (1000 candles)');
    expect(lines.slice(1)).toEqual([
      ...[10, 20, 30, 40, 50, 60, 70, 80, 90].map(
        (pct) => `backtest: ${pct}% (${pct * 10}/1000 candles)`,
      ),
      'backtest: 100% (1000/1000 candles)',
    ]);
  });

  it('takes a total learned late (the engine reports it with the first update)', () => {
    const io = captureIo();
    const p = createProgress(io, 'download', 0, { unit: 'candles' });
    p.update(0, 200);
    p.update(100, 200);
    p.finish();
    expect(io.stderr).toContain('download: 50% (100/200 candles)');
  });

  it('draws a bar on a terminal (cli-progress) on stderr, not stdout', () => {
    const io = captureIo({ errIsTTY: true });
    const p = createProgress(io, 'backtest', 50, { unit: 'candles' });
    p.update(25);
    p.finish();
    expect(io.stdout).toBe('');
    expect(io.stderr).toMatch(/backtest \[[█░]+\] (50|100)% \| (25|50)\/50 candles/);
  });

  it('a bar whose total is not known yet waits for it: never "100% | 0/0"', () => {
    const io = captureIo({ errIsTTY: true });
    const p = createProgress(io, 'backtest', 0, { unit: 'candles' });
    expect(io.stderr, 'nothing drawn before the total is known').toBe('');
    p.update(100, 200);
    p.finish();
    expect(io.stderr).not.toMatch(/0\/0 candles/);
    expect(io.stderr).toMatch(/backtest \[[█░]+\] 50% \| 100\/200 candles/);
  });

  it('plain lines do not claim a total of 0 before it is known', () => {
    const io = captureIo();
    createProgress(io, 'backtest', 0, { unit: 'candles' });
    expect(io.stderr).toBe('backtest: started\n');
  });
});
