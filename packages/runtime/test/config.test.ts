import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  ConfigError,
  configSchema,
  loadConfig,
  renderConfigExample,
  renderConfigReference,
  secretsSchema,
} from '../src/index';

const dir = mkdtempSync(join(tmpdir(), 'tt-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** Writes config.yml (and secrets.yml when given) into a fresh folder and loads them. */
function load(
  config: string | null,
  secrets?: string,
  options: { env?: Record<string, string>; confirmLive?: boolean } = {},
) {
  const d = join(dir, String(n++));
  const configPath = join(d, 'config.yml');
  const secretsPath = join(d, 'secrets.yml');
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d);
  if (config !== null) writeFileSync(configPath, config);
  if (secrets !== undefined) writeFileSync(secretsPath, secrets, { mode: 0o600 });
  return {
    configPath,
    secretsPath,
    load: () =>
      loadConfig({
        configPath,
        secretsPath,
        env: options.env ?? {},
        ...(options.confirmLive ? { confirmLive: true } : {}),
      }),
  };
}

function problemsOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    expect(e, 'loadConfig throws ConfigError').toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('fills every default from an empty config.yml and no secrets.yml', () => {
    const { load: l } = load('');
    const r = l();
    expect(r.config).toEqual(configSchema.parse({}));
    expect(r.config.mode).toBe('paper');
    expect(r.config.reconcile_seconds).toBe(600);
    expect(r.secretsPath).toBeNull();
    expect(r.warnings).toEqual([]);
  });

  it('reports a missing config.yml with its path and the copy fix', () => {
    const { configPath, load: l } = load(null);
    const e = problemsOf(l);
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]!.source).toBe(configPath);
    expect(e.message).toContain('file not found');
    expect(e.message).toContain('config.yml.example');
  });

  it('reports bad YAML with the line number', () => {
    const e = problemsOf(load('mode: paper\nrisk:\n  max_order_notional: [1, 2\n').load);
    expect(e.problems[0]!.message).toMatch(/invalid YAML/);
    expect(e.problems[0]!.line, e.message).toBeGreaterThanOrEqual(3);
  });

  it('lists every unknown key and wrong type at once, with key path, line and fix', () => {
    const e = problemsOf(
      load('mode: paper\nrisk:\n  max_order_notionl: 5\n  max_orders_per_minute: "ten"\nfoo: 1\n')
        .load,
    );
    const byPath = new Map(e.problems.map((p) => [p.path, p]));
    expect([...byPath.keys()].sort(), e.message).toEqual([
      'foo',
      'risk.max_order_notionl',
      'risk.max_orders_per_minute',
    ]);
    const typo = byPath.get('risk.max_order_notionl')!;
    expect(typo.message).toBe('unknown key');
    expect(typo.fix).toContain('did you mean `max_order_notional`?');
    expect(typo.line).toBe(3);
    const wrong = byPath.get('risk.max_orders_per_minute')!;
    expect(wrong.message).toMatch(/expected number/);
    expect(wrong.fix).toBe('set it to a number (default: 6)');
    expect(wrong.line).toBe(4);
    expect(e.message).toContain('config.yml:4:');
  });

  it('rejects out-of-range values and bad enum values with the allowed ones', () => {
    const e = problemsOf(load('mode: papr\ntelemetry:\n  sampling_ratio: 2\n').load);
    const byPath = new Map(e.problems.map((p) => [p.path, p]));
    expect(byPath.get('mode')!.fix).toContain('"paper", "live"');
    expect(byPath.get('telemetry.sampling_ratio')!.fix).toContain('≤ 1');
  });

  it('refuses mode: live without confirmation, and accepts it with TT_CONFIRM_LIVE=yes and credentials', () => {
    const secrets = 'exchange:\n  api_key: k-123456\n  secret: s-123456\n';
    const e = problemsOf(load('mode: live\n', secrets).load);
    expect(e.problems.map((p) => p.path)).toEqual(['mode']);
    expect(e.problems[0]!.fix).toContain('TT_CONFIRM_LIVE=yes');
    expect(e.problems[0]!.line).toBe(1);
    expect(
      load('mode: live\n', secrets, { env: { TT_CONFIRM_LIVE: 'yes' } }).load().config.mode,
    ).toBe('live');
    expect(load('mode: live\n', secrets, { confirmLive: true }).load().config.mode).toBe('live');
    const withOthers = problemsOf(load('mode: live\nfoo: 1\n', secrets).load);
    expect(withOthers.problems.map((p) => p.path).sort(), 'reported together').toEqual([
      'foo',
      'mode',
    ]);
    const noCreds = problemsOf(load('mode: live\n', '', { confirmLive: true }).load);
    expect(noCreds.problems.map((p) => p.path)).toEqual(['exchange']);
  });

  it('warns when secrets.yml is readable by group or others, not when it is 0600', () => {
    const s = load('', 'mariadb:\n  password: pw-abcdef\n');
    expect(s.load().warnings).toEqual([]);
    chmodSync(s.secretsPath, 0o644);
    const w = s.load().warnings;
    expect(w).toHaveLength(1);
    expect(w[0]).toContain(`chmod 600 ${s.secretsPath}`);
  });

  it('refuses live mode when secrets.yml is readable by group or others', () => {
    const s = load('mode: live\n', 'exchange:\n  api_key: key-abcdef\n  secret: secret-abcdef\n', {
      env: { TT_CONFIRM_LIVE: 'yes' },
    });
    expect(s.load().config.mode).toBe('live');
    chmodSync(s.secretsPath, 0o640);
    let err: unknown;
    try {
      s.load();
    } catch (e) {
      err = e;
    }
    expect(err, 'live start with secrets.yml mode 0640').toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain('mode 0640');
    expect((err as ConfigError).message).toContain(`chmod 600 ${s.secretsPath}`);
  });

  it('warns once per start: not again in a service whose starter already warned', () => {
    const s = load('', 'mariadb:\n  password: pw-abcdef\n', {
      env: { TT_SECRETS_MODE_WARNED: 'yes' },
    });
    chmodSync(s.secretsPath, 0o644);
    expect(s.load().warnings).toEqual([]);
  });

  it('applies TT_* environment overrides and names the variable when its value is wrong', () => {
    const ok = load('redis:\n  url: redis://10.0.0.1:6379\n', undefined, {
      env: {
        TT_REDIS_URL: 'redis://127.0.0.1:6390',
        TT_SYMBOLS: 'BTC/USDT, ETH/USDT',
        TT_MARIADB_PORT: '3307',
        TT_MARIADB_PASSWORD: '12345678',
      },
    }).load();
    expect(ok.config.redis.url).toBe('redis://127.0.0.1:6390');
    expect(ok.config.exchange.symbols).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(ok.config.mariadb.port).toBe(3307);
    expect(ok.secrets.mariadb.password, 'secrets stay strings').toBe('12345678');
    const e = problemsOf(load('', undefined, { env: { TT_MARIADB_PORT: 'abc' } }).load);
    expect(e.problems[0]!.source).toBe('env TT_MARIADB_PORT');
    expect(e.problems[0]!.path).toBe('mariadb.port');
  });

  it('never puts a secret value into an error message', () => {
    const value = 'Sup3r-Secret-Value';
    const e = problemsOf(
      load(
        '',
        `exchange:\n  api_key: ${value}\n  apikey: ${value}\n  secret: [${value}]\nbull_board:\n  password: {x: ${value}}\n`,
      ).load,
    );
    expect(e.problems.length, e.message).toBe(3);
    expect(e.message).not.toContain(value);
    const broken = problemsOf(load('', `exchange:\n  secret: "${value}\n`).load);
    expect(broken.message).not.toContain(value);
  });
});

describe('generated configuration docs and examples', () => {
  const root = new URL('../../../', import.meta.url);
  const regen = 'regenerate with: node --import tsx packages/runtime/scripts/render-config-docs.ts';
  it('docs/configuration.md, config.yml.example and secrets.yml.example are up to date', () => {
    expect(readFileSync(new URL('docs/configuration.md', root), 'utf8'), regen).toBe(
      renderConfigReference(),
    );
    expect(readFileSync(new URL('config.yml.example', root), 'utf8'), regen).toBe(
      renderConfigExample('config'),
    );
    expect(readFileSync(new URL('secrets.yml.example', root), 'utf8'), regen).toBe(
      renderConfigExample('secrets'),
    );
  });

  function leafPaths(o: unknown, prefix = ''): string[] {
    if (o === null || typeof o !== 'object' || Array.isArray(o) || Object.keys(o).length === 0)
      return [prefix];
    return Object.entries(o).flatMap(([k, v]) =>
      leafPaths(v, prefix === '' ? k : `${prefix}.${k}`),
    );
  }

  it('the examples parse strictly, hold every key of the schema and equal the defaults', () => {
    const config = parseYaml(readFileSync(new URL('config.yml.example', root), 'utf8'));
    expect(configSchema.parse(config)).toEqual(configSchema.parse({}));
    expect(leafPaths(config).sort()).toEqual(leafPaths(configSchema.parse({})).sort());
    const secrets = parseYaml(readFileSync(new URL('secrets.yml.example', root), 'utf8'));
    expect(secretsSchema.parse(secrets)).toEqual(secretsSchema.parse({}));
    expect(leafPaths(secrets).sort()).toEqual(leafPaths(secretsSchema.parse({})).sort());
  });

  it('the reference documents every key path', () => {
    const doc = renderConfigReference();
    for (const p of leafPaths(configSchema.parse({}))) expect(doc, p).toContain(`\`${p}\``);
    for (const p of leafPaths(secretsSchema.parse({}))) expect(doc, p).toContain(`\`${p}\``);
  });
});
