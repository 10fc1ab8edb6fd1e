/**
 * Where a command writes and what it may ask of its surroundings. Commands take this instead of
 * touching `process` so tests run them in-process and read what they printed.
 */
export interface CliIo {
  /** results (tables, JSON): stdout */
  out(text: string): void;
  /** progress, warnings, errors: stderr */
  err(text: string): void;
  /** stderr is a terminal: draw a progress bar instead of printing progress lines */
  readonly errIsTTY: boolean;
  /** the stream a progress bar draws on (stderr) */
  readonly errStream: NodeJS.WritableStream;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** our clock, ms since epoch */
  now(): number;
}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    errIsTTY: process.stderr.isTTY === true,
    errStream: process.stderr,
    cwd: process.cwd(),
    env: process.env,
    now: Date.now,
  };
}
