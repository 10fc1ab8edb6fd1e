import { type ChildProcess, spawn } from 'node:child_process';
import { cliEntry } from './cli-entry';

/** `3t worker` child processes of this one, for `3t sweep` without remote workers. */
export interface LocalWorkers {
  readonly processes: readonly ChildProcess[];
  /** resolves once every worker said it takes jobs (rejects if one exits first) */
  readonly ready: Promise<void>;
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
  const readies: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const child = spawn(process.execPath, [cliEntry(), 'worker', ...args], {
      cwd,
      // TT_PARENT_PID: the worker's graceful shutdown ends it when this process is gone
      env: { ...env, TT_PARENT_PID: String(process.pid) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // a worker's log lines stay quiet unless it fails to start (then its stderr explains why)
    let log = '';
    readies.push(
      new Promise((resolve, reject) => {
        child.stderr?.on('data', (d: Buffer) => {
          log = (log + d.toString()).slice(-4000);
          // the line startWorker prints once its queue worker runs
          if (log.includes(': taking jobs')) resolve();
        });
        child.on('exit', () =>
          reject(new Error(`3t worker ${child.pid} ended before taking jobs:\n${log}`)),
        );
      }),
    );
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
  const ready = Promise.all(readies).then(() => {});
  ready.catch(() => {}); // a caller that does not wait for readiness learns of exits by exited()
  return {
    processes,
    ready,
    exited: () => exited,
    stop: async () => {
      for (const p of processes)
        if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
      await Promise.all(ends);
    },
  };
}
