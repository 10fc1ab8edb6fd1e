import { type ChildProcess, fork } from 'node:child_process';
import { CliError } from '../cli-error';
import type { ChildReply, ChildRequest, ChildTaskName, ChildTasks } from './child-tasks';
import { CHILD_TASKS_ENV, cliEntry } from './cli-entry';

/**
 * Runs `task` over `inputs` in `processes` child processes of `3t` (one core each: the engine is
 * single-threaded), handing the next input to whichever child finishes first. Results come back
 * in input order. The children are the same program, so a task computes what the CLI computes.
 */
export async function runInChildren<T extends ChildTaskName>(
  task: T,
  inputs: readonly Parameters<ChildTasks[T]>[0][],
  processes: number,
  onResult: (index: number) => void = () => {},
): Promise<Awaited<ReturnType<ChildTasks[T]>>[]> {
  type Out = Awaited<ReturnType<ChildTasks[T]>>;
  const results: Out[] = new Array(inputs.length);
  const children: ChildProcess[] = [];
  let next = 0;
  let done = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      if (inputs.length === 0) return resolve();
      // the input each child is working on, so only a child that dies mid-task is an error
      const busy = new Map<ChildProcess, number>();
      const give = (child: ChildProcess) => {
        busy.delete(child);
        if (next >= inputs.length) {
          child.disconnect();
          return;
        }
        const index = next++;
        busy.set(child, index);
        child.send({ task, index, input: inputs[index] } satisfies ChildRequest);
      };
      const count = Math.max(1, Math.min(processes, inputs.length));
      for (let c = 0; c < count; c++) {
        const child = fork(cliEntry(), [], {
          env: { ...process.env, [CHILD_TASKS_ENV]: '1' },
          execArgv: [],
          // structured clone keeps -0, NaN and Infinity that JSON would change
          serialization: 'advanced',
          stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        });
        children.push(child);
        child.on('message', (m: ChildReply) => {
          if (!m.ok) {
            reject(
              m.userError ? new CliError(m.error) : new Error(`child task ${task}: ${m.error}`),
            );
            return;
          }
          results[m.index] = m.output as Out;
          done++;
          onResult(m.index);
          if (done === inputs.length) resolve();
          else give(child);
        });
        child.on('exit', (code, signal) => {
          if (busy.has(child)) {
            reject(
              new Error(
                `the ${task} child process of input ${busy.get(child)} ended early (code ${code}, signal ${signal})`,
              ),
            );
          }
        });
        child.on('error', reject);
        give(child);
      }
    });
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
  }
  return results;
}
