import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { listMetricDefs } from '../../src/telemetry';
import { repoPath } from './helpers/repo-paths';

const doc = readFileSync(repoPath('docs/observability.md'), 'utf8');

describe('docs/observability.md', () => {
  it('lists every catalogue metric with its type', () => {
    for (const def of listMetricDefs()) {
      expect(doc, def.name).toMatch(new RegExp(`\\| \`${def.name}\` \\| ${def.kind} \\|`));
    }
  });

  it('says what to do for every alert of prometheus/alerts.yml', () => {
    const rules = parse(readFileSync(repoPath('prometheus/alerts.yml'), 'utf8')) as {
      groups: { rules: { alert?: string }[] }[];
    };
    for (const { alert } of rules.groups.flatMap((g) => g.rules)) {
      if (alert) expect(doc, alert).toContain(`\`${alert}\``);
    }
  });

  it('shows screenshots that exist', () => {
    const images = [...doc.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(images).toEqual(['img/trace-tree.png', 'img/bull-board.png']);
    for (const img of images) expect(existsSync(repoPath(`docs/${img}`)), img).toBe(true);
  });
});
