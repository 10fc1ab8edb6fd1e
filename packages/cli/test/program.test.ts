import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EXIT_NOT_AVAILABLE, runCli } from '../src/index';
import { captureIo } from './helpers/capture-io';

const COMMANDS = [
  ['backtest'],
  ['data', 'download'],
  ['config', 'check'],
  ['migrate'],
  ['start'],
  ['halt'],
  ['resume'],
];

describe('3t command tree', () => {
  it('lists every command in the top-level help and exits 0', async () => {
    const io = captureIo();
    expect(await runCli(['--help'], io)).toBe(0);
    for (const [name] of COMMANDS)
      expect(io.stdout, `help lists ${name}`).toMatch(new RegExp(`\\n  ${name}\\b`));
  });

  it.each(COMMANDS)(
    '%s %s has its own --help with a description, options and examples',
    async (...cmd) => {
      const io = captureIo();
      const args = cmd.filter((c): c is string => typeof c === 'string');
      expect(await runCli([...args, '--help'], io), io.stderr).toBe(0);
      expect(io.stdout).toContain(`Usage: 3t ${args.join(' ')}`);
      expect(io.stdout).toContain('Options:');
      expect(io.stdout, `${args.join(' ')} help has examples`).toMatch(/Examples?:/);
    },
  );

  it('prints the top-level help when called without a command', async () => {
    const io = captureIo();
    expect(await runCli([], io)).toBe(0);
    expect(io.stdout).toContain('Usage: 3t');
  });

  it('rejects an unknown option with exit 1 and a hint', async () => {
    const io = captureIo();
    expect(await runCli(['backtest', '--bogus'], io)).toBe(1);
    expect(io.stderr).toMatch(/unknown option '--bogus'/);
  });

  it('rejects a malformed option value naming the accepted forms', async () => {
    const io = captureIo();
    expect(await runCli(['backtest', '--fee', 'lots'], io)).toBe(1);
    expect(io.stderr).toMatch(/'lots' is not a rate .*0\.1%/);
    const io2 = captureIo();
    expect(await runCli(['backtest', '--from', '2023-13-45'], io2)).toBe(1);
    expect(io2.stderr).toMatch(/not a time/);
  });

  it('backtest without an engine checks its inputs, then exits 2 saying what is missing', async () => {
    const cwd = mkdtempSync(join(tmpdir(), '3t-cli-'));
    const io = captureIo({ cwd });
    expect(await runCli(['backtest'], io)).toBe(EXIT_NOT_AVAILABLE);
    expect(io.stderr).toMatch(/not available yet: the in-process backtest engine/);
    expect(io.stderr).toMatch(
      /backtest: BTC\/USDT 1m as 1m, seed 1, 100 runs requested, at most 46 active \(cap: providence\.max_runs_per_leverage 45 × leverage \+ 1\), fee 0\.100%, slippage 5\.0 bps, config built-in defaults/,
    );
    expect(io.stdout).toBe('');
  });

  it('backtest reports a missing data file with exit 1 before anything else', async () => {
    const io = captureIo();
    expect(await runCli(['backtest', 'no/such/file.csv'], io)).toBe(1);
    expect(io.stderr).toMatch(/data path no\/such\/file\.csv does not exist/);
  });
});

describe('the 3t bin as a process', () => {
  const bin = new URL('../bin/3t.mjs', import.meta.url).pathname;
  const run = (args: string[], cwd: string) =>
    promisify(execFile)(process.execPath, [bin, ...args], {
      cwd,
      env: { PATH: process.env.PATH },
    }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it('prints help with exit 0, and an input error as one line with exit 1', async () => {
    const cwd = mkdtempSync(join(tmpdir(), '3t-bin-'));
    const help = await run(['--help'], cwd);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: 3t');
    const bad = await run(['backtest', 'missing.csv'], cwd);
    expect(bad.code, bad.stderr).toBe(1);
    expect(bad.stderr).toMatch(/^3t: data path missing\.csv does not exist/m);
    expect(bad.stderr, 'no stack trace for an input error').not.toMatch(/\n\s+at /);
  });
});
