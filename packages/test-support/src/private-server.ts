import { rm } from 'node:fs/promises';
import type { ServerProcess } from './server-process';
import { waitUntil } from './wait-until';

/** A server of the test's own in a temporary folder: start, stop, kill (crash) and remove. */
export abstract class PrivateServer {
  protected constructor(
    readonly port: number,
    readonly dir: string,
    protected readonly process: ServerProcess,
    private readonly startTimeoutMs: number,
  ) {}

  abstract get url(): string;

  protected abstract answers(): Promise<boolean>;

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Starts the server (again) on the same port and folder and waits until it answers. */
  async start(): Promise<void> {
    this.process.start();
    await waitUntil(
      `${this.process.name} on port ${this.port} (log ${this.process.logFile})`,
      () => this.answers(),
      this.startTimeoutMs,
    );
  }

  /** Graceful stop (SIGTERM), waiting for the process to exit. */
  stop(): Promise<void> {
    return this.process.stop();
  }

  /** SIGKILL, as a crash would. */
  kill(): Promise<void> {
    return this.process.kill();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops the server and removes its folder. */
  async dispose(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
