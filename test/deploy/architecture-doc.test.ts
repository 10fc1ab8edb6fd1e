import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './stack';

// docs/architecture.md names a file at every step of the life of a candle: a file moved or
// renamed must take the doc along. Each service README says what the service consumes, produces
// and stores, and how it restarts.

const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');

describe('docs/architecture.md', () => {
  const paths = [...new Set(doc.match(/\b(?:packages|services|scripts)\/[\w./-]+\.(?:ts|mjs)\b/g))];

  it('has one sequence diagram, from the exchange to account equity', () => {
    const diagrams = doc.match(/```mermaid\n[\s\S]*?```/g) ?? [];
    expect(diagrams).toHaveLength(1);
    expect(diagrams[0]).toMatch(/^```mermaid\nsequenceDiagram/);
    expect(diagrams[0]).toContain('Exchange');
    expect(diagrams[0]).toContain('account_equity');
    expect(paths.length, 'files named by the steps').toBeGreaterThan(20);
  });

  it.each(paths)('names %s, which exists', (path) => {
    expect(existsSync(join(ROOT, path)), `${path} is named in docs/architecture.md`).toBe(true);
  });

  it('is linked from README.md', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('(docs/architecture.md)');
  });
});

describe.each(['market-feed', 'inference', 'strategy-runner', 'order-executor', 'queue-monitor'])(
  'services/%s/README.md',
  (name) => {
    it('says what the service consumes, produces and stores, and how it restarts', () => {
      const readme = readFileSync(join(ROOT, 'services', name, 'README.md'), 'utf8');
      for (const row of ['consumes', 'produces', 'stores']) {
        expect(readme, `${name}: a "${row}" row`).toMatch(new RegExp(`^\\| ${row} \\|`, 'm'));
      }
      expect(readme, `${name}: a restart paragraph`).toMatch(/^\*\*Restart\.\*\*/m);
    });
  },
);
