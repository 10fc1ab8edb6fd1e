import { z } from 'zod';

// Minimal view of zod 4 internals (`_zod.def`) to find the object schema at a key path, for
// "did you mean" hints; wrappers (default, prefault, optional, nullable) are looked through.
interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let d = defOf(s); d.innerType !== undefined; d = defOf(s)) s = d.innerType;
  return s;
}

/** Keys of the object schema at `path`, or [] when there is none. */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s: z.ZodType | undefined = unwrap(schema);
  for (const key of path) {
    const shape: Record<string, z.ZodType> | undefined = defOf(s).shape;
    s = shape?.[String(key)];
    if (s === undefined) return [];
    s = unwrap(s);
  }
  return Object.keys(defOf(s).shape ?? {});
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

export function valueAt(obj: unknown, path: readonly PropertyKey[]): unknown {
  let v = obj;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

interface JsonSection {
  properties?: Record<string, JsonSection>;
}

/**
 * Leaf key paths of an object schema, e.g. `['sizing', 'order_type']`: sections are walked, maps,
 * lists and tuples are leaves. Read from zod's JSON Schema, as the config docs are rendered.
 */
export function leafKeyPaths(schema: z.ZodType): string[][] {
  const root = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSection;
  const out: string[][] = [];
  const walk = (s: JsonSection, path: string[]) => {
    if (s.properties === undefined) out.push(path);
    else for (const [k, v] of Object.entries(s.properties)) walk(v, [...path, k]);
  };
  walk(root, []);
  return out;
}
