import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './stack';

const markdown = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Relative link targets of a markdown file: `[text](target)` and `![alt](target)`. */
function relativeLinks(text: string): string[] {
  const links: string[] = [];
  // code spans and blocks may hold brackets that are not links
  const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  for (const m of prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = m[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
    links.push(target.split('#')[0]!);
  }
  return links;
}

describe('relative links in the documentation', () => {
  it.each(markdown)('every relative link of %s points to an existing file', (file) => {
    const links = relativeLinks(readFileSync(join(ROOT, file), 'utf8'));
    const missing = links.filter((l) => !existsSync(join(ROOT, dirname(file), decodeURI(l))));
    expect(
      missing,
      `${file} links to missing files (relative to ${relative(ROOT, join(ROOT, dirname(file))) || '.'})`,
    ).toEqual([]);
  });

  it('finds the links of README.md (the check itself works)', () => {
    expect(
      relativeLinks('see [a](docs/x.md) and ![d](docs/arch/c.png) and [w](https://x.org)'),
    ).toEqual(['docs/x.md', 'docs/arch/c.png']);
  });
});
