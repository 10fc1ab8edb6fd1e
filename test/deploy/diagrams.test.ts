import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deadLetterQueue, QUEUE_NAMES } from '@3t/contracts';
import { describe, expect, it } from 'vitest';
import { nativeServices, ROOT } from './stack';

const containers = readFileSync(join(ROOT, 'docs/arch/containers.puml'), 'utf8');

/** Every table the migrations create (and the migration runner's own). */
function migrationTables(): string[] {
  const dir = join(ROOT, 'packages/runtime/migrations');
  const sources = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => readFileSync(join(dir, f), 'utf8'));
  sources.push(readFileSync(join(ROOT, 'packages/runtime/src/db/migrate.ts'), 'utf8'));
  const tables = new Set<string>();
  for (const sql of sources) {
    for (const m of sql.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?`?([a-z0-9_]+)`?/gi)) {
      tables.add(m[1]!);
    }
  }
  return [...tables].sort();
}

/** The name as a word of the diagram (so `orders` is not found inside `order_intents`). */
function mentions(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^a-z0-9_.-])${escaped}($|[^a-z0-9_-]|\\.(?!dead))`, 'i').test(text);
}

describe('docs/arch/containers.puml', () => {
  it.each(nativeServices().map((s) => s.name))('shows the service %s', (name) => {
    expect(mentions(containers, name), `services/${name} is not in containers.puml`).toBe(true);
  });

  it.each(QUEUE_NAMES.flatMap((q) => [q, deadLetterQueue(q)]))('shows the queue %s', (queue) => {
    expect(mentions(containers, queue), `queue ${queue} is not in containers.puml`).toBe(true);
  });

  const tables = migrationTables();
  it('finds the tables of the migrations', () => {
    expect(tables, 'the core tables of 001_core.sql').toEqual(
      expect.arrayContaining(['runs', 'order_intents', 'orders', 'fills', 'positions']),
    );
  });
  it.each(tables)('shows the table %s', (table) => {
    expect(mentions(containers, table), `table ${table} is not in containers.puml`).toBe(true);
  });
});

describe('docs/arch', () => {
  it.each(['context', 'containers', 'inference', 'strategy-runner'])(
    '%s.puml is a C4 PlantUML diagram',
    (name) => {
      const text = readFileSync(join(ROOT, 'docs/arch', `${name}.puml`), 'utf8');
      expect(text).toMatch(/^@startuml/m);
      expect(text).toMatch(/!include <C4\/C4_(Context|Container|Component)>/);
      expect(text.trimEnd().endsWith('@enduml'), `${name}.puml ends with @enduml`).toBe(true);
      // Debian's plantuml (1.2020) bundles a C4 library without the *Queue macros: the PNGs
      // beside the sources are rendered with it, so queues are Container/ContainerDb.
      expect(text, `${name}.puml renders with Debian's plantuml`).not.toMatch(/\w+Queue\(/);
    },
  );
});
