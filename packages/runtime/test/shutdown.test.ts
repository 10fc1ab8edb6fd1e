import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueueRuntime, type QueueRuntime } from '../src/index';
import {
  deleteRedisPrefix,
  REDIS_URL,
  testQueueOptions,
  uniqueName,
  waitFor,
} from './support/infra';

const prefix = uniqueName();
const fixture = fileURLToPath(new URL('./fixtures/shutdown-service.ts', import.meta.url));
let rt: QueueRuntime;

beforeAll(() => {
  rt = createQueueRuntime(testQueueOptions(prefix));
});
afterAll(async () => {
  await rt.close();
  await deleteRedisPrefix(prefix);
});

interface Child {
  proc: ChildProcess;
  events: Array<{ event: string; n?: number }>;
  output: string[];
  exited: Promise<number | null>;
}

function start(mode: string, childPrefix: string): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: {
      ...process.env,
      TT_FIXTURE_PREFIX: childPrefix,
      TT_FIXTURE_MODE: mode,
      TT_FIXTURE_REDIS_URL: REDIS_URL,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child: Child = {
    proc,
    events: [],
    output: [],
    exited: new Promise((resolve) => proc.on('exit', (code) => resolve(code))),
  };
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      child.output.push(line);
      try {
        const o = JSON.parse(line);
        if (o.event) child.events.push(o);
      } catch {
        // not JSON
      }
    }
  });
  proc.stderr!.on('data', (d: Buffer) => child.output.push(d.toString()));
  return child;
}

function hasEvent(c: Child, event: string) {
  return async () => (c.events.some((e) => e.event === event) ? true : undefined);
}

describe('graceful shutdown', () => {
  it('on SIGTERM stops taking jobs, finishes the running one, closes connections and exits 0', async () => {
    const child = start('slow', prefix);
    await waitFor('the service to be ready', hasEvent(child, 'ready'), 30_000);
    const q = rt.queue('work');
    await q.add('work', { n: 1 }, { jobId: 'j1' });
    await waitFor('job 1 to start', hasEvent(child, 'job-started'));
    await q.add('work', { n: 2 }, { jobId: 'j2' });
    child.proc.kill('SIGTERM');
    const code = await child.exited;
    expect(code, child.output.join('\n')).toBe(0);
    expect(child.events.map((e) => `${e.event}:${e.n ?? ''}`)).toEqual([
      'ready:',
      'job-started:1',
      'job-finished:1',
    ]);
    expect((await q.getJob('j1'))?.returnvalue, 'the running job completed').toBe(2);
    expect(await (await q.getJob('j2'))?.getState(), 'no new job was taken').toBe('waiting');
  }, 60_000);

  it('exits non-zero on a fatal job error and on an uncaught exception', async () => {
    const p = uniqueName();
    const fatal = start('fatal-handler', p);
    await waitFor('the service to be ready', hasEvent(fatal, 'ready'), 30_000);
    const q = createQueueRuntime(testQueueOptions(p));
    await q.queue('work').add('work', { n: 7 }, { jobId: 'f1' });
    expect(await fatal.exited, fatal.output.join('\n')).toBe(1);
    expect(fatal.output.join('\n')).toContain('invariant broken at job 7');
    await q.close();
    await deleteRedisPrefix(p);

    const crashPrefix = uniqueName();
    const crash = start('crash', crashPrefix);
    expect(await crash.exited, crash.output.join('\n')).toBe(1);
    await deleteRedisPrefix(crashPrefix);
    expect(crash.output.join('\n')).toMatch(
      /uncaught exception.*boom: invariant broken|boom: invariant broken.*uncaught exception/s,
    );
  }, 60_000);
});
