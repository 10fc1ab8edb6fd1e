import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, parseDocument, parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error';
import { type Config, configSchema } from './config-schema';
import { ENV_OVERRIDES } from './env-overrides';
import { closest, keysAt, valueAt } from './schema-walk';
import { type Secrets, secretsSchema } from './secrets-schema';

export interface LoadConfigOptions {
  /** default: env TT_CONFIG, else `./config.yml` */
  configPath?: string;
  /** default: env TT_SECRETS, else `./secrets.yml` */
  secretsPath?: string;
  /** default: process.env */
  env?: Record<string, string | undefined>;
  /** the `--confirm-live` flag; `TT_CONFIRM_LIVE=yes` does the same */
  confirmLive?: boolean;
  /** use defaults (with a warning) when config.yml does not exist, instead of failing */
  allowMissingConfig?: boolean;
}

export interface LoadedConfig {
  config: Config;
  secrets: Secrets;
  /** things worth telling the user at start (log them as warnings) */
  warnings: string[];
  configPath: string;
  /** null when secrets.yml does not exist */
  secretsPath: string | null;
}

interface YamlFile {
  source: string;
  data: unknown;
  locate(path: readonly PropertyKey[]): { line: number; column: number } | undefined;
}

function readYaml(
  path: string,
  secret: boolean,
  problems: ConfigProblem[],
): YamlFile | 'missing' | 'broken' {
  if (!existsSync(path)) return 'missing';
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'read error';
    problems.push({
      source: path,
      path: '',
      message: `cannot read the file (${code})`,
      fix: `make it readable by this user (chmod 600 ${path} and own it)`,
    });
    return 'broken';
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const pos = err.linePos?.[0] ?? lineCounter.linePos(err.pos[0]);
      problems.push({
        source: path,
        ...(pos ? { line: pos.line, column: pos.col } : {}),
        path: '',
        // The message of a YAML error can quote the offending text; for secrets.yml keep only the
        // error code so a secret value never reaches the output.
        message: `invalid YAML: ${secret ? err.code : err.message.split('\n')[0]}`,
        fix: 'correct the YAML syntax at that line (indentation with spaces, `key: value`, quotes closed)',
      });
    }
    return 'broken';
  }
  return {
    source: path,
    data: doc.toJS() ?? {},
    locate(keyPath) {
      for (let n = keyPath.length; n > 0; n--) {
        const node = doc.getIn(keyPath.slice(0, n), true) as { range?: [number, number, number] };
        if (node?.range) {
          const p = lineCounter.linePos(node.range[0]);
          return { line: p.line, column: p.col };
        }
      }
      return undefined;
    },
  };
}

function setPath(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let o = obj;
  for (const k of path.slice(0, -1)) {
    const next = o[k];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[path[path.length - 1]!] = value;
}

function envValue(raw: string, list: boolean, defaultValue: unknown, secret: boolean): unknown {
  if (list) {
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }
  if (secret || typeof defaultValue === 'string') return raw;
  if (defaultValue === null && raw !== 'null' && raw !== '') return raw;
  try {
    return parseYaml(raw);
  } catch {
    return raw;
  }
}

function fixFor(issue: z.core.$ZodIssue, defaults: unknown, secret: boolean): string {
  const def = valueAt(defaults, issue.path);
  const example = def === undefined || secret ? '' : ` (default: ${JSON.stringify(def)})`;
  switch (issue.code) {
    case 'invalid_type':
      if (issue.path.length === 0) return 'write the file as `key: value` lines (a YAML mapping)';
      return `set it to a ${issue.expected}${example}`;
    case 'invalid_value':
      return `use one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${example}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `give at least ${issue.minimum} item(s)${example}`
        : `use a value ${issue.inclusive ? '≥' : '>'} ${issue.minimum}${example}`;
    case 'too_big':
      return issue.origin === 'array'
        ? `give at most ${issue.maximum} item(s)${example}`
        : `use a value ${issue.inclusive ? '≤' : '<'} ${issue.maximum}${example}`;
    case 'invalid_format':
      return `write ${issue.message.startsWith('Invalid') ? `a valid ${issue.format}` : issue.message}${example}`;
    default:
      return `see docs/configuration.md${example}`;
  }
}

function messageFor(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_format' && !issue.message.startsWith('Invalid')) {
    return `invalid ${issue.format}`;
  }
  return issue.message;
}

function validate<S extends z.ZodType>(
  schema: S,
  file: YamlFile,
  envSources: Map<string, string>,
  secret: boolean,
  problems: ConfigProblem[],
): z.infer<S> | undefined {
  const result = schema.safeParse(file.data);
  if (result.success) return result.data;
  const defaults = schema.parse({});
  const sourceOf = (path: readonly PropertyKey[]) => {
    const env = envSources.get(path.join('.'));
    if (env !== undefined) return { source: `env ${env}` };
    const pos = file.locate(path);
    return { source: file.source, ...(pos ? { line: pos.line, column: pos.column } : {}) };
  };
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = keysAt(schema, issue.path);
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        const guess = closest(key, known);
        problems.push({
          ...sourceOf(path),
          path: path.join('.'),
          message: 'unknown key',
          fix: `${guess ? `did you mean \`${guess}\`? ` : ''}remove it or rename it; keys allowed here: ${known.join(', ')}`,
        });
      }
      continue;
    }
    problems.push({
      ...sourceOf(issue.path),
      path: issue.path.join('.'),
      message: messageFor(issue),
      fix: fixFor(issue, defaults, secret),
    });
  }
  return undefined;
}

/**
 * Loads config.yml and secrets.yml, applies TT_* environment overrides, validates both strictly
 * and checks live-mode confirmation. Throws one ConfigError listing every problem.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const configPath = resolve(options.configPath ?? env['TT_CONFIG'] ?? 'config.yml');
  const secretsPath = resolve(options.secretsPath ?? env['TT_SECRETS'] ?? 'secrets.yml');
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];

  let configFile = readYaml(configPath, false, problems);
  if (configFile === 'missing') {
    if (options.allowMissingConfig) {
      warnings.push(`${configPath} not found: using the defaults (see config.yml.example)`);
    } else {
      problems.push({
        source: configPath,
        path: '',
        message: 'file not found',
        fix: `copy config.yml.example to ${configPath} (every key has a default), or point TT_CONFIG / --config at your file`,
      });
    }
    configFile = { source: configPath, data: {}, locate: () => undefined };
  }
  let secretsFile = readYaml(secretsPath, true, problems);
  const secretsExist = secretsFile !== 'missing';
  if (secretsFile === 'missing') {
    secretsFile = { source: secretsPath, data: {}, locate: () => undefined };
  } else if (process.platform !== 'win32') {
    const mode = statSync(secretsPath).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      const octal = mode.toString(8).padStart(4, '0');
      // Live mode holds exchange keys that move real money: refuse to run with them exposed.
      // Paper mode warns, once per start: a starter that warned tells its services so.
      const liveMode =
        env['TT_MODE'] === 'live' ||
        (typeof configFile === 'object' && valueAt(configFile.data, ['mode']) === 'live');
      if (liveMode) {
        problems.push({
          source: secretsPath,
          path: '',
          message: `readable by group/others (mode ${octal}); live mode does not start with exposed secrets`,
          fix: `chmod 600 ${secretsPath} (owned by the user that runs 3T)`,
        });
      } else if (env['TT_SECRETS_MODE_WARNED'] !== 'yes') {
        warnings.push(
          `${secretsPath} is readable by group/others (mode ${octal}): run \`chmod 600 ${secretsPath}\``,
        );
      }
    }
  }
  if (configFile === 'broken' || secretsFile === 'broken') throw new ConfigError(problems);

  const envSources = { config: new Map<string, string>(), secrets: new Map<string, string>() };
  const defaults = { config: configSchema.parse({}), secrets: secretsSchema.parse({}) };
  const files = { config: configFile, secrets: secretsFile };
  for (const o of ENV_OVERRIDES) {
    const raw = env[o.env];
    if (raw === undefined) continue;
    const file = files[o.file];
    if (file.data === null || typeof file.data !== 'object' || Array.isArray(file.data)) continue;
    const value = envValue(
      raw,
      o.list === true,
      valueAt(defaults[o.file], o.path),
      o.file === 'secrets',
    );
    setPath(file.data as Record<string, unknown>, o.path, value);
    envSources[o.file].set(o.path.join('.'), o.env);
  }

  const config = validate(configSchema, configFile, envSources.config, false, problems);
  const secrets = validate(secretsSchema, secretsFile, envSources.secrets, true, problems);

  // Checked on the raw value too, so an unconfirmed live start is reported with the other problems.
  if (valueAt(configFile.data, ['mode']) === 'live') {
    const confirmed = options.confirmLive === true || env['TT_CONFIRM_LIVE'] === 'yes';
    if (!confirmed) {
      const fromEnv = envSources.config.has('mode');
      const pos = fromEnv ? undefined : configFile.locate(['mode']);
      problems.push({
        source: fromEnv ? 'env TT_MODE' : configPath,
        ...(pos ? { line: pos.line, column: pos.column } : {}),
        path: 'mode',
        message: '`live` places real orders with real money and was not confirmed',
        fix: 'start with --confirm-live or set TT_CONFIRM_LIVE=yes; or use mode: paper',
      });
    }
    const c = secrets?.exchange;
    if (c && c.api_key === '' && c.private_key === '') {
      problems.push({
        source: secretsExist ? secretsPath : `${secretsPath} (missing)`,
        path: 'exchange',
        message: 'live mode needs exchange credentials',
        fix: 'set exchange.api_key and exchange.secret (or wallet_address and private_key) in secrets.yml, see secrets.yml.example',
      });
    }
  }
  if (config === undefined || secrets === undefined || problems.length > 0) {
    throw new ConfigError(problems);
  }

  if (/^rediss?:\/\/[^/@]*:[^/@]+@/.test(config.redis.url)) {
    warnings.push('redis.url contains a password: move it to secrets.yml redis.password');
  }
  return { config, secrets, warnings, configPath, secretsPath: secretsExist ? secretsPath : null };
}
