import { type ChildProcess, spawn } from 'node:child_process';
import { cliEntry } from './cli-entry';

/** `3t worker` child processes of this one, for `3t sweep` without remote workers. */
export interface LocalWorkers {
  readonly processes: readonly ChildProcess[];
  /** workers that exited (a crash, a kill) */
  exited(): number;
  /** SIGTERM each (it finishes its running job) and wait until all have exited */
  stop(): Promise<void>;
}

export function startLocalWorkers(
  count: number,
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): LocalWorkers {
  const processes: ChildProcess[] = [];
  let exited = 0;
  const ends: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const child = spawn(process.execPath, [cliEntry(), 'worker', ...args], {
      cwd,
      // TT_PARENT_PID: the worker's graceful shutdown ends it when this process is gone
      env: { ...env, TT_PARENT_PID: String(process.pid) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // a worker's log lines stay quiet unless it fails to start (then its stderr explains why)
    let log = '';
    child.stderr?.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-4000);
    });
    ends.push(
      new Promise((resolve) =>
        child.on('exit', (code, signal) => {
          exited++;
          if (code !== 0 && signal !== 'SIGTERM') {
            process.stderr.write(
              `3t worker ${child.pid} ended (code ${code}, signal ${signal}):\n${log}\n`,
            );
          }
          resolve();
        }),
      ),
    );
    processes.push(child);
  }
  return {
    processes,
    exited: () => exited,
    stop: async () => {
      for (const p of processes)
        if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
      await Promise.all(ends);
    },
  };
}
