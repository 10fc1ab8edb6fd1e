import { CliError } from '../cli-error';
import type { BacktestRequest } from '../commands/backtest';
import { runBacktestEngine } from '../engine/backtest-engine';
import { backtestOutcome } from '../seeds/backtest-outcome';

/** What a `3t` child process can compute for its parent (see runInChildren). */
export const childTasks = {
  /** one backtest of `3t backtest`'s engine on a resolved request, reduced to its outcome */
  backtest: async (request: BacktestRequest) =>
    backtestOutcome(await runBacktestEngine(request, () => {})),
};
export type ChildTasks = typeof childTasks;
export type ChildTaskName = keyof ChildTasks;

export interface ChildRequest {
  task: ChildTaskName;
  index: number;
  input: unknown;
}
export type ChildReply =
  | { ok: true; index: number; output: unknown }
  | { ok: false; index: number; error: string; userError: boolean };

/** The child's side: answer each request from the parent until it disconnects. */
export function serveChildTasks(): void {
  process.on('message', async (m: ChildRequest) => {
    let reply: ChildReply;
    try {
      const output = await childTasks[m.task](m.input as never);
      reply = { ok: true, index: m.index, output };
    } catch (e) {
      const userError = e instanceof CliError;
      reply = {
        ok: false,
        index: m.index,
        error: userError ? e.message : ((e as Error)?.stack ?? String(e)),
        userError,
      };
    }
    process.send?.(reply);
  });
  process.on('disconnect', () => process.exit(0));
}
