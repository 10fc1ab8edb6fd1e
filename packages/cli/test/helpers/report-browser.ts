import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';

/** What one chart container drew: its largest-ink canvas and that canvas's size. */
export interface Drawn {
  id: string;
  width: number;
  height: number;
  ink: number;
}

export interface OpenedReport {
  page: Page;
  /** console errors (and warnings when asked) and page errors, as text */
  problems: string[];
  /** every request that tried to leave file:// (all are aborted) */
  blocked: string[];
  /** per chart container, measured in the page */
  drawn(): Promise<Drawn[]>;
  close(): Promise<void>;
}

/**
 * Runs in the page (a string: this package compiles without DOM types). For each chart container,
 * its canvas with the most "ink" (opaque pixels that are not near-white) and that canvas's size.
 */
const INK_PROBE = `[...document.querySelectorAll('[data-chart]')].map((el) => {
  let best = { id: el.id, width: 0, height: 0, ink: 0 };
  for (const c of el.querySelectorAll('canvas')) {
    const r = c.getBoundingClientRect();
    const ctx = c.getContext('2d');
    if (!ctx || c.width === 0 || c.height === 0) continue;
    const px = ctx.getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 0; i < px.length; i += 4) {
      const white = px[i] > 245 && px[i + 1] > 245 && px[i + 2] > 245;
      if (px[i + 3] > 0 && !white) ink++;
    }
    if (ink > best.ink) best = { id: el.id, width: r.width, height: r.height, ink };
  }
  return best;
})`;

/**
 * Opens a report HTML file in Debian's headless Chromium with every non-file request aborted
 * (the report must work offline) and waits until every chart container has a canvas or svg.
 */
export async function openReportOffline(
  htmlPath: string,
  options: { warnings?: boolean } = {},
): Promise<OpenedReport> {
  const userDataDir = mkdtempSync(join(tmpdir(), '3t-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    viewport: { width: 1280, height: 900 },
  });
  const close = async () => {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  };
  try {
    const blocked: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || (options.warnings && m.type() === 'warning')) {
        problems.push(`console.${m.type()}: ${m.text()}`);
      }
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
    await page.waitForFunction(
      `[...document.querySelectorAll('[data-chart]')].every((el) => el.querySelector('canvas, svg'))`,
    );
    return {
      page,
      problems,
      blocked,
      drawn: async () => (await page.evaluate(INK_PROBE)) as Drawn[],
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
