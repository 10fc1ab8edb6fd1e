import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SupervisedSpec {
  readonly name: string;
  readonly entrypoint: string;
  readonly env: Readonly<Record<string, string>>;
  /** A log line that says the process took up its work; without it, a started process counts. */
  readonly readyLine?: RegExp;
  /**
   * A log line that says the process entered its start-up work worth a kill of its own (for
   * order-executor: its start reconciliation); see {@link Supervisor.inStartPhase}.
   */
  readonly startPhaseLine?: RegExp;
}

/**
 * Runs services as child processes and restarts any that exits, as a process supervisor
 * (systemd, docker `restart: always`) would; `kill()` SIGKILLs one for the chaos schedule.
 */
export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private readonly startedAt = new Map<string, number>();
  private readonly readyAt = new Map<string, number>();
  private readonly startPhaseAt = new Map<string, number>();
  private stopping = false;
  readonly restarts = new Map<string, number>();
  readonly logs = new Map<string, string[]>();

  constructor(
    private readonly cwd: string,
    private readonly specs: readonly SupervisedSpec[],
    /** When set, every service's output is also appended to `<logDir>/<name>.log`. */
    private readonly logDir?: string,
  ) {
    // a test runner that dies must not leave services running
    process.once('exit', () => {
      for (const child of this.children.values()) child.kill('SIGKILL');
    });
  }

  startAll(): void {
    for (const spec of this.specs) this.start(spec);
  }

  private start(spec: SupervisedSpec): void {
    const child = spawn(process.execPath, ['--import', 'tsx', spec.entrypoint], {
      cwd: this.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = this.logs.get(spec.name) ?? [];
    this.logs.set(spec.name, lines);
    this.readyAt.delete(spec.name);
    this.startPhaseAt.delete(spec.name);
    if (!spec.readyLine) this.readyAt.set(spec.name, Date.now());
    for (const s of [child.stdout, child.stderr]) {
      s?.on('data', (b: Buffer) => {
        const fresh = b.toString().split('\n').filter(Boolean);
        // a dead life's last words do not mark the next life
        const current = this.children.get(spec.name) === child;
        if (current && spec.readyLine && fresh.some((l) => spec.readyLine?.test(l))) {
          this.readyAt.set(spec.name, Date.now());
        }
        if (current && spec.startPhaseLine && fresh.some((l) => spec.startPhaseLine?.test(l))) {
          this.startPhaseAt.set(spec.name, Date.now());
        }
        lines.push(...fresh);
        if (this.logDir) appendFileSync(join(this.logDir, `${spec.name}.log`), b);
        if (lines.length > 4000) lines.splice(0, lines.length - 2000);
      });
    }
    this.children.set(spec.name, child);
    this.startedAt.set(spec.name, Date.now());
    child.once('exit', () => {
      if (this.stopping) return;
      this.restarts.set(spec.name, (this.restarts.get(spec.name) ?? 0) + 1);
      setTimeout(() => {
        if (!this.stopping) this.start(spec);
      }, 200);
    });
  }

  /** ms since the service's current process started; -1 while it is down. */
  uptime(name: string): number {
    const child = this.children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return -1;
    return Date.now() - (this.startedAt.get(name) ?? Date.now());
  }

  /** ms since the service's current process said it is ready; -1 while it is down or starting. */
  readyFor(name: string): number {
    const at = this.readyAt.get(name);
    return this.uptime(name) < 0 || at === undefined ? -1 : Date.now() - at;
  }

  /**
   * ms since the service's current process logged its `startPhaseLine`, while it has not logged
   * its `readyLine` yet; -1 otherwise (down, earlier in its start, or ready).
   */
  inStartPhase(name: string): number {
    const at = this.startPhaseAt.get(name);
    if (this.uptime(name) < 0 || at === undefined || this.readyAt.has(name)) return -1;
    return Date.now() - at;
  }

  /** SIGKILLs the service when it runs; false when it is between exit and restart. */
  kill(name: string): boolean {
    const child = this.children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return false;
    return child.kill('SIGKILL');
  }

  /** SIGTERM and restart one service (a graceful restart: its start reconciliation runs). */
  async restart(name: string): Promise<void> {
    const child = this.children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }

  tail(name: string, n = 30): string {
    return (this.logs.get(name) ?? []).slice(-n).join('\n');
  }
}
