import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@3t/runtime';
import { sparePort } from '@3t/test-support';
import { describe, expect, it } from 'vitest';
import { runStart } from '../../src/start/run-start';
import { PIPELINE_SERVICES, SERVICES, serviceArgs } from '../../src/start/services';
import { startNotes } from '../../src/start/start-notes';
import { captureIo } from '../helpers/capture-io';

const ROOT = new URL('../../../../', import.meta.url).pathname;

describe('3t start', () => {
  it('lists every service with an entry point that exists and a distinct port key', () => {
    expect(SERVICES.map((s) => s.name)).toEqual([
      'order-executor',
      'strategy-runner',
      'inference',
      'market-feed',
      'queue-monitor',
    ]);
    expect(PIPELINE_SERVICES).toHaveLength(4);
    for (const s of SERVICES) {
      expect(existsSync(join(ROOT, s.entrypoint)), `${s.name}: ${s.entrypoint}`).toBe(true);
    }
    expect(new Set(SERVICES.map((s) => s.portKey)).size).toBe(SERVICES.length);
  });

  it('runs each service from source under tsx, or from the bundle scripts/build.mjs names after its folder', () => {
    for (const s of SERVICES) {
      expect(serviceArgs(s, false)).toEqual(['--import', 'tsx', s.entrypoint]);
      // build.mjs: services/<folder>/src/main.ts → dist/<folder>.mjs
      const folder = s.entrypoint.split('/')[1];
      expect(serviceArgs(s, true)).toEqual([`dist/${folder}.mjs`]);
    }
    // the tests run the sources: the default is tsx
    expect(serviceArgs(SERVICES[0]!)).toEqual(['--import', 'tsx', SERVICES[0]!.entrypoint]);
  });

  it('starts nothing and names the Redis address and how to start one when Redis does not answer', async () => {
    const port = await sparePort();
    const loaded = loadConfig({
      configPath: join(ROOT, 'no-such-config.yml'),
      secretsPath: join(ROOT, 'no-such-secrets.yml'),
      env: { TT_REDIS_URL: `redis://127.0.0.1:${port}` },
      allowMissingConfig: true,
    });
    const io = captureIo();
    const started = runStart({ root: ROOT, loaded, stopSignal: new Promise(() => {}) }, io);
    await expect(started).rejects.toThrow(`127.0.0.1:${port}`);
    await expect(started).rejects.toThrow(/docker-compose up -d/);
    expect(io.stderr, 'no service was started').not.toContain('started');
  });
});

describe('3t start without a usable Bull Board password', () => {
  const queueMonitor = SERVICES.find((s) => s.name === 'queue-monitor')!;
  const secrets = (password: string) =>
    loadConfig({
      configPath: join(ROOT, 'no-such-config.yml'),
      secretsPath: join(ROOT, 'no-such-secrets.yml'),
      env: { TT_BULL_BOARD_PASSWORD: password },
      allowMissingConfig: true,
    });

  it('skips queue-monitor and says why: no password, or one under 12 characters', () => {
    for (const [password, why] of [
      ['', /no Bull Board password configured/],
      ['short-pw', /has 8 characters; use at least 12/],
    ] as const) {
      const { config, secrets: s } = secrets(password);
      expect(queueMonitor.enabled(config, s), `password '${password}'`).toBe(false);
      expect(queueMonitor.skippedBecause?.(config, s)).toMatch(why);
    }
    const { config, secrets: ok } = secrets('twelve-chars');
    expect(queueMonitor.enabled(config, ok)).toBe(true);
    expect(queueMonitor.skippedBecause?.(config, ok)).toBeUndefined();
  });
});

describe('3t start notes', () => {
  const config = (extra: Record<string, string>) =>
    loadConfig({
      configPath: join(ROOT, 'no-such-config.yml'),
      secretsPath: join(ROOT, 'no-such-secrets.yml'),
      env: extra,
      allowMissingConfig: true,
    }).config;

  it('warns that a full-speed replay meets the wall-clock orders-per-minute limit', () => {
    const notes = startNotes(config({}));
    expect(notes.join('\n')).toMatch(/risk\.max_orders_per_minute \(6\) counts wall-clock minutes/);
    expect(notes.join('\n')).toMatch(/strategy_snapshots/);
  });

  it('says nothing of the sort when the feed is an exchange', () => {
    expect(startNotes(config({ TT_FEED_SOURCE: 'exchange' }))).toEqual([]);
  });
});
