import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Queue } from 'bullmq';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniquePrefix } from '../../../packages/runtime/test/telemetry/helpers/redis-prefix';
import { monitoredQueueNames, type QueueMonitor, startQueueMonitor } from '../src';
import { writeMonitorConfig } from './helpers/monitor-config';
import { seedQueues } from './helpers/seed-queues';

const SCREENSHOT = fileURLToPath(new URL('../../../docs/img/bull-board.png', import.meta.url));
const LOGIN = { username: 'ops', password: 'browser-board-pw' };

const { prefix, cleanup } = uniquePrefix('bboard');
// retrying a job is an action: allowed here (read-only is the default)
const files = writeMonitorConfig(prefix, LOGIN, { allowActions: true });
let monitor: QueueMonitor;
let queues: Record<string, Queue>;
let browser: Browser;

beforeAll(async () => {
  queues = await seedQueues(prefix);
  monitor = await startQueueMonitor({
    configPath: files.configPath,
    secretsPath: files.secretsPath,
    env: {},
    port: 0,
  });
  // Debian's Chromium; Playwright starts it on a new, empty temporary profile directory (its
  // --user-data-dir) and removes it on close, so nothing from another run leaks in.
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
  await monitor?.close();
  await Promise.all(Object.values(queues ?? {}).map((q) => q.close()));
  await cleanup();
  files.remove();
});

/** The overview card of a queue: the innermost block holding its title link and job total. */
const card = (page: Page, queue: string) =>
  page
    .locator('div')
    .filter({ has: page.locator(`a[title="${queue}"]`) })
    .filter({ hasText: /Jobs?$/ })
    .last();

/** The text as the page shows it (line breaks, upper case from CSS), which is what a user reads. */
// biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point here
const shown = (l: Locator) => l.innerText();

describe('Bull Board in Chromium', () => {
  it('gets 401 without credentials', async () => {
    const anonymous = await browser.newContext();
    const page = await anonymous.newPage();
    const answer = page.waitForResponse(monitor.url);
    // With no credentials to offer, Chromium ends the navigation at the challenge.
    const navigation = await page.goto(monitor.url).catch((err: Error) => err);
    expect(String(navigation)).toContain('ERR_INVALID_AUTH_CREDENTIALS');
    const res = await answer;
    expect(res.status()).toBe(401);
    expect(await res.headerValue('www-authenticate')).toMatch(/^Basic /);
    await anonymous.close();
  });

  it('logs in, shows every queue with its counts, retries a failed job, saves a screenshot', async () => {
    const context = await browser.newContext({
      httpCredentials: LOGIN,
      viewport: { width: 1280, height: 800 },
    });
    const page = await context.newPage();
    const res = await page.goto(monitor.url);
    expect(res?.status(), 'logged in').toBe(200);
    for (const name of monitoredQueueNames()) {
      await expect
        .poll(() => page.locator(`a[title="${name}"]`).count(), { message: name })
        .toBeGreaterThan(0);
    }
    await expect.poll(() => shown(card(page, 'candles'))).toMatch(/FAILED\s+1\s+3 Jobs$/);
    await expect.poll(() => shown(card(page, 'candles.dead'))).toMatch(/\b1 Jobs?$/);
    await expect.poll(() => shown(card(page, 'features'))).toMatch(/\b3 Jobs$/);

    await page.goto(`${monitor.url}queue/candles?status=failed`);
    const job = page.getByText('bad-candle');
    await job.waitFor();
    await page.locator('button:has(svg.lucide-refresh-cw)').last().click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    // The retry reached Redis: the job left the failed set and waits again.
    await expect
      .poll(() => queues.candles!.getJobCounts('waiting', 'failed'))
      .toEqual({ waiting: 3, failed: 0 });
    expect(await queues.candles!.getJobState('bad-candle')).toBe('waiting');

    await page.goto(monitor.url);
    await expect.poll(() => shown(card(page, 'candles'))).toMatch(/\b3 Jobs$/);
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(statSync(SCREENSHOT).size, 'screenshot written').toBeGreaterThan(10_000);
    await context.close();
  });
});
