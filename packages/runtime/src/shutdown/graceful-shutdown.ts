import type { Logger } from 'pino';

export interface GracefulShutdownOptions {
  logger?: Logger;
  /** give up waiting for close steps after this long and exit 1 (default 30 s) */
  timeoutMs?: number;
  /** default process.exit */
  exit?: (code: number) => void;
  /** default SIGTERM and SIGINT */
  signals?: readonly NodeJS.Signals[];
  /**
   * Shut down when this process's parent is no longer this pid (it died, and the process was
   * handed to init). Default: TT_PARENT_PID, which `3t start` sets for the services it starts,
   * so no service outlives it whatever killed it.
   */
  parentPid?: number;
  /** how often the parent is checked (default 1 s) */
  parentCheckMs?: number;
}

/**
 * Thrown by start-up work that a shutdown cut short (e.g. migrations not started after SIGTERM).
 * Not a failure: `fatal()` of a shutdown already under way only notes it.
 */
export class StoppedByShutdown extends Error {
  override name = 'StoppedByShutdown';
}

/**
 * Crash-only shutdown (conventions.md): on SIGTERM/SIGINT run the close steps — registered as
 * connections first, workers last, they run in reverse: workers stop taking jobs and finish the
 * running ones, then queues and pools close — and exit 0. A fatal error (uncaught exception,
 * unhandled rejection, fatal()) runs the same steps and exits 1 so a supervisor restarts the
 * process. A second signal, a failing step or the timeout exits 1 at once.
 */
export class GracefulShutdown {
  private readonly steps: Array<{ name: string; close: () => Promise<unknown> | unknown }> = [];
  private running: Promise<void> | undefined;
  private readonly exit: (code: number) => void;

  constructor(private readonly options: GracefulShutdownOptions = {}) {
    this.exit = options.exit ?? ((code) => process.exit(code));
  }

  /** true once shutdown began (a /healthz can report "stopping"). */
  get stopping(): boolean {
    return this.running !== undefined;
  }

  /** Registers a close step. Steps run one at a time in reverse order of registration. */
  add(name: string, close: () => Promise<unknown> | unknown): this {
    this.steps.push({ name, close });
    return this;
  }

  /** Runs every close step once, then exits with `code` (1 if a step failed). */
  shutdown(code = 0, reason = 'shutdown requested'): Promise<void> {
    if (this.running) return this.running;
    const log = this.options.logger;
    log?.info({ reason, code }, 'shutting down');
    const timer = setTimeout(() => {
      log?.error({ timeoutMs: this.options.timeoutMs ?? 30_000 }, 'shutdown timed out');
      this.exit(1);
    }, this.options.timeoutMs ?? 30_000);
    timer.unref();
    this.running = (async () => {
      let exitCode = code;
      for (const step of [...this.steps].reverse()) {
        try {
          await step.close();
          log?.debug({ step: step.name }, 'closed');
        } catch (err) {
          exitCode = 1;
          log?.error({ err, step: step.name }, 'close step failed');
        }
      }
      clearTimeout(timer);
      log?.info({ code: exitCode }, 'stopped');
      log?.flush?.();
      this.exit(exitCode);
    })();
    return this.running;
  }

  /** A fatal error: log it, close what can be closed, exit 1. */
  fatal(err: unknown, what = 'fatal error'): Promise<void> {
    if (this.running && err instanceof StoppedByShutdown) {
      this.options.logger?.info({ reason: err.message }, 'start-up stopped by the shutdown');
      return this.running;
    }
    this.options.logger?.fatal({ err }, what);
    return this.shutdown(1, what);
  }

  /** Listens for the signals and for uncaught errors. */
  install(): this {
    for (const signal of this.options.signals ?? ['SIGTERM', 'SIGINT']) {
      process.on(signal, () => {
        if (this.stopping) {
          this.options.logger?.warn({ signal }, 'second signal: exiting now');
          this.exit(1);
          return;
        }
        void this.shutdown(0, signal);
      });
    }
    const parent = this.options.parentPid ?? Number(process.env['TT_PARENT_PID'] ?? '');
    if (Number.isInteger(parent) && parent > 0) {
      const watch = setInterval(() => {
        if (process.ppid === parent) return;
        clearInterval(watch);
        void this.shutdown(0, `parent process ${parent} exited`);
      }, this.options.parentCheckMs ?? 1000);
      watch.unref();
    }
    process.on('uncaughtException', (err) => void this.fatal(err, 'uncaught exception'));
    process.on('unhandledRejection', (err) => void this.fatal(err, 'unhandled rejection'));
    return this;
  }
}

/** A GracefulShutdown with its signal and error handlers installed. */
export function installGracefulShutdown(options: GracefulShutdownOptions = {}): GracefulShutdown {
  return new GracefulShutdown(options).install();
}
