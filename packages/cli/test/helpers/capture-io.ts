import { PassThrough } from 'node:stream';
import type { CliIo } from '../../src/io';

export interface CapturedIo extends CliIo {
  readonly stdout: string;
  readonly stderr: string;
}

/** A CliIo that records what a command printed; not a TTY unless asked. */
export function captureIo(
  options: Partial<Pick<CliIo, 'cwd' | 'env' | 'now' | 'errIsTTY'>> = {},
): CapturedIo {
  let stdout = '';
  let stderr = '';
  const errStream = new PassThrough();
  errStream.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return {
    out: (t) => {
      stdout += t;
    },
    err: (t) => {
      stderr += t;
    },
    errIsTTY: options.errIsTTY ?? false,
    errStream,
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? {},
    now: options.now ?? (() => Date.UTC(2024, 0, 1)),
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}
