import cliProgress from 'cli-progress';
import type { CliIo } from '../io';

export interface Progress {
  /** `done` of `total` units finished; `total` may be revised (a download learns it late) */
  update(done: number, total?: number): void;
  /** the work is over: leave the bar (or a last line) showing the final count */
  finish(): void;
}

export interface ProgressOptions {
  /** what is counted, e.g. `candles` */
  unit: string;
  /** plain-line mode prints a line each time this share more is done (default 0.1) */
  step?: number;
}

/**
 * A progress bar on a terminal (cli-progress, on stderr so `--json` output stays clean), plain
 * `label: 40% (12000/30240 candles)` lines when stderr is a file or pipe (CI logs, `2> log`).
 */
export function createProgress(
  io: CliIo,
  label: string,
  total: number,
  options: ProgressOptions,
): Progress {
  return io.errIsTTY
    ? barProgress(io, label, total, options)
    : lineProgress(io, label, total, options);
}

function barProgress(io: CliIo, label: string, total: number, { unit }: ProgressOptions): Progress {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {duration_formatted} elapsed, ETA {eta_formatted}`,
      stream: io.errStream,
      // only chosen when stderr is a terminal; this lets tests draw on a plain stream too
      noTTYOutput: true,
      hideCursor: true,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  // a total of 0 is "not known yet" (the engine learns it with the first update): starting the
  // bar then would draw "100% | 0/0"
  let started = false;
  const start = (t: number) => {
    if (started || !(t > 0)) return;
    bar.start(t, 0);
    started = true;
  };
  start(total);
  return {
    update(done, newTotal) {
      if (!started) start(newTotal ?? total);
      if (!started) return;
      if (newTotal !== undefined) bar.setTotal(newTotal);
      bar.update(done);
    },
    finish() {
      if (started) bar.stop();
    },
  };
}

function lineProgress(
  io: CliIo,
  label: string,
  initialTotal: number,
  { unit, step = 0.1 }: ProgressOptions,
): Progress {
  // whole percentages, so 30 % of 1000 is reached at 300 and not at 301 (0.1 × 3 ≠ 0.3)
  const stepPct = Math.max(1, Math.round(step * 100));
  let total = initialTotal;
  let done = 0;
  let nextPct = stepPct;
  const pct = () => (total > 0 ? Math.floor((100 * done) / total) : 100);
  const line = () => io.err(`${label}: ${pct()}% (${done}/${total} ${unit})\n`);
  io.err(`${label}: started${total > 0 ? ` (${total} ${unit})` : ''}\n`);
  return {
    update(newDone, newTotal) {
      if (newTotal !== undefined) total = newTotal;
      done = newDone;
      if (total > 0 && done < total && pct() >= nextPct) {
        line();
        nextPct = (Math.floor(pct() / stepPct) + 1) * stepPct;
      }
    },
    finish() {
      line();
    },
  };
}
