import type { Config } from '../config/config-schema';
import { NON_SECRET_PATHS, type Secrets } from '../config/secrets-schema';

export const REDACTED = '[REDACTED]';

/** Values shorter than this are not scrubbed from free text (a 1-letter "secret" would garble every line). */
export const MIN_SCRUB_LENGTH = 4;

function leaves(o: unknown, prefix: string, out: Array<[string, string]>): void {
  if (typeof o === 'string') out.push([prefix, o]);
  else if (o !== null && typeof o === 'object') {
    for (const [k, v] of Object.entries(o)) leaves(v, prefix === '' ? k : `${prefix}.${k}`, out);
  }
}

/**
 * Every secret value to keep out of logs, metrics, traces and error messages: all of secrets.yml
 * (but the Bull Board user name), plus a password embedded in the Redis URL of config.yml.
 */
export function secretValues(secrets: Secrets, config?: Pick<Config, 'redis'>): string[] {
  const pairs: Array<[string, string]> = [];
  leaves(secrets, '', pairs);
  const values = pairs
    .filter(([p, v]) => v !== '' && !NON_SECRET_PATHS.includes(p))
    .map(([, v]) => v);
  if (config) {
    try {
      const pw = new URL(config.redis.url).password;
      if (pw !== '') values.push(decodeURIComponent(pw), pw);
    } catch {
      // an unparsable URL fails config validation elsewhere
    }
  }
  return [...new Set(values)];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Replaces every occurrence of the given secret values in a text, also in their JSON-escaped and
 * URL-encoded forms (how they appear inside a serialized log line or a URL).
 */
export function createSecretScrubber(values: readonly string[]): (text: string) => string {
  const forms = new Set<string>();
  for (const v of values) {
    if (v.length < MIN_SCRUB_LENGTH) continue;
    forms.add(v);
    forms.add(JSON.stringify(v).slice(1, -1));
    forms.add(encodeURIComponent(v));
  }
  if (forms.size === 0) return (text) => text;
  // Longest first, so a secret that contains another is replaced whole.
  const pattern = new RegExp(
    [...forms]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'g',
  );
  return (text) => text.replace(pattern, REDACTED);
}
