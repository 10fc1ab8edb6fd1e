import { z } from 'zod';
import { configSchema } from './config-schema';
import { ENV_CONTROL, ENV_OVERRIDES } from './env-overrides';
import { renderLiveExample } from './live-example';
import { secretsSchema } from './secrets-schema';

// Both renderers read the JSON Schema zod derives from configSchema / secretsSchema, so the docs
// and the example files list exactly the keys that are validated, with their real defaults.

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema | boolean;
  prefixItems?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  format?: string;
}

const SAFE_MAX = Number.MAX_SAFE_INTEGER;

function sentence(text: string | undefined): string {
  if (text === undefined || text === '') return '';
  return /[.!?)]$/.test(text) ? text : `${text}.`;
}

function jsonSchemaOf(kind: 'config' | 'secrets'): JsonSchema {
  const schema = kind === 'config' ? configSchema : secretsSchema;
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

function isSection(s: JsonSchema): boolean {
  return s.properties !== undefined;
}

function typeName(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (s.anyOf) return s.anyOf.map(typeName).join(' or ');
  if (s.prefixItems) return `[${s.prefixItems.map(typeName).join(', ')}]`;
  if (s.type === 'array' && typeof s.items === 'object') return `list of ${typeName(s.items)}`;
  if (s.type === 'object' && typeof s.additionalProperties === 'object') {
    return `map of name → ${typeName(s.additionalProperties)}`;
  }
  if (s.format === 'uri') return 'URL';
  if (Array.isArray(s.type)) return s.type.join(' or ');
  return s.type ?? 'any';
}

function constraints(s: JsonSchema): string {
  const c: string[] = [];
  if (s.exclusiveMinimum !== undefined) c.push(`> ${s.exclusiveMinimum}`);
  if (s.minimum !== undefined && s.minimum > -SAFE_MAX) c.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined && s.maximum < SAFE_MAX) c.push(`≤ ${s.maximum}`);
  if (s.exclusiveMaximum !== undefined) c.push(`< ${s.exclusiveMaximum}`);
  if (s.minItems !== undefined && s.prefixItems === undefined) c.push(`at least ${s.minItems}`);
  const a = s.additionalProperties;
  if (typeof a === 'object' && a.minimum !== undefined) c.push(`values ≥ ${a.minimum}`);
  return c.join(', ');
}

function envFor(kind: 'config' | 'secrets', path: string): string | undefined {
  return ENV_OVERRIDES.find((o) => o.file === kind && o.path.join('.') === path)?.env;
}

function markdownSection(
  kind: 'config' | 'secrets',
  title: string,
  prefix: string,
  s: JsonSchema,
  out: string[],
): void {
  const entries = Object.entries(s.properties ?? {});
  const leaves = entries.filter(([, v]) => !isSection(v));
  out.push(`### ${title}`, '');
  if (leaves.length > 0) {
    out.push('| key | type | default | meaning |', '| --- | --- | --- | --- |');
    for (const [k, v] of leaves) {
      const path = `${prefix}${k}`;
      const env = envFor(kind, path);
      const c = constraints(v);
      const meaning = [
        sentence(v.description).replaceAll('|', '\\|'),
        c === '' ? '' : `Range: ${c}.`,
        env === undefined ? '' : `Env: \`${env}\`.`,
      ]
        .filter((x) => x !== '')
        .join(' ');
      const def =
        kind === 'secrets' && v.default === '' ? 'empty' : `\`${JSON.stringify(v.default)}\``;
      out.push(`| \`${path}\` | ${typeName(v)} | ${def} | ${meaning} |`);
    }
    out.push('');
  }
  for (const [k, v] of entries.filter(([, v]) => isSection(v))) {
    markdownSection(kind, `\`${prefix}${k}\` — ${v.description ?? ''}`, `${prefix}${k}.`, v, out);
  }
}

/** Markdown reference of every key of config.yml and secrets.yml, and the environment variables. */
export function renderConfigReference(): string {
  const out: string[] = [
    '# Configuration reference',
    '',
    '<!-- Generated from packages/runtime/src/config (renderConfigReference); do not edit by hand.',
    '     Regenerate: node --import tsx packages/runtime/scripts/render-config-docs.ts -->',
    '',
    '3T reads `config.yml` and `secrets.yml` (YAML) at start, applies the environment variables',
    'below, and validates everything strictly: an unknown key, a wrong type or a value out of range',
    'stops the start with the file, the line, the key path and the fix, listing every problem at once.',
    'Every key is optional and has the default shown. Annotated examples: `config.yml.example`,',
    '`secrets.yml.example` at the repository root.',
    '',
    '`mode: live` places real orders and needs an explicit confirmation: the `--confirm-live` flag or',
    '`TT_CONFIRM_LIVE=yes`; otherwise the start fails. secrets.yml readable by group or others gives a',
    'warning at start (`chmod 600 secrets.yml`). Secret values are scrubbed from every log line.',
    '',
    '## config.yml',
    '',
  ];
  markdownSection('config', 'Top level', '', jsonSchemaOf('config'), out);
  out.push('## secrets.yml', '');
  markdownSection('secrets', 'Top level', '', jsonSchemaOf('secrets'), out);
  out.push(
    '## Environment variables',
    '',
    'Values are read as YAML scalars (`5` is a number, `true` a boolean); lists are comma-separated.',
    'Secrets are always read as strings.',
    '',
    '| variable | meaning |',
    '| --- | --- |',
  );
  for (const [name, meaning] of Object.entries(ENV_CONTROL))
    out.push(`| \`${name}\` | ${meaning} |`);
  for (const o of ENV_OVERRIDES) {
    out.push(
      `| \`${o.env}\` | overrides ${o.file}.yml \`${o.path.join('.')}\`${o.list ? ' (comma list)' : ''} |`,
    );
  }
  out.push('');
  return out.join('\n');
}

function wrapComment(text: string, indent: string, width = 98): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && indent.length + 2 + line.length + 1 + word.length > width) {
      lines.push(`${indent}# ${line}`);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(`${indent}# ${line}`);
  return lines;
}

function yamlSection(
  kind: 'config' | 'secrets',
  s: JsonSchema,
  prefix: string,
  indent: string,
  out: string[],
) {
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    const path = `${prefix}${k}`;
    if (isSection(v)) {
      out.push('');
      out.push(...wrapComment(v.description ?? '', indent));
      out.push(`${indent}${k}:`);
      yamlSection(kind, v, `${path}.`, `${indent}  `, out);
      continue;
    }
    const env = envFor(kind, path);
    const c = constraints(v);
    out.push(...wrapComment(sentence(v.description), indent));
    const type = typeName(v).replaceAll('\\|', '|').replaceAll('`', '');
    const facts = [`type: ${type}`, c === '' ? '' : `range: ${c}`, env ? `env: ${env}` : '']
      .filter((x) => x !== '')
      .join('; ');
    out.push(...wrapComment(`(${facts})`, indent));
    out.push(`${indent}${k}: ${JSON.stringify(v.default)}`);
  }
}

/** Annotated YAML example of config.yml or secrets.yml holding every key at its default. */
export function renderConfigExample(kind: 'config' | 'secrets'): string {
  const head =
    kind === 'config'
      ? [
          '# 3T configuration: copy to config.yml and change what you need. Every key is optional and',
          '# shown here at its default; unknown keys are errors. Reference: docs/configuration.md.',
          '# Generated from packages/runtime/src/config; regenerate with',
          '# node --import tsx packages/runtime/scripts/render-config-docs.ts',
          '#',
          ...renderLiveExample(),
        ]
      : [
          '# 3T secrets: copy to secrets.yml, fill in, then `chmod 600 secrets.yml` (a file readable by',
          '# group/others gives a warning at start). Never commit secrets.yml. Every value is scrubbed',
          '# from logs, metrics, traces and error messages. Reference: docs/configuration.md.',
          '# Generated from packages/runtime/src/config; regenerate with',
          '# node --import tsx packages/runtime/scripts/render-config-docs.ts',
        ];
  const out = [...head];
  yamlSection(kind, jsonSchemaOf(kind), '', '', out);
  return `${out.join('\n')}\n`;
}
