import { describe, expect, it } from 'vitest';
import { createLogger, secretsSchema, secretValues } from '../src/index';

// A test secrets.yml with values of every shape: plain, with JSON-escaped characters, URL-ish.
const secrets = secretsSchema.parse({
  exchange: {
    api_key: 'AK-live-7f3e9a1b',
    secret: 'sk"quote\\back/slash-42',
    private_key: '0xdeadbeefcafebabe1234',
  },
  mariadb: { password: 'maria pw: with spaces' },
  redis: { password: 'r3d!s-p@ss' },
  bull_board: { username: 'admin', password: 'bb-hunter2-xyz' },
  grafana: { admin_password: 'gr@fana-Adm1n' },
});
const values = secretValues(secrets, {
  redis: { url: 'redis://:url-pass-9876@127.0.0.1:6379', prefix: '3t' },
});

function capture() {
  const lines: string[] = [];
  const logger = createLogger({
    name: 'test',
    level: 'trace',
    secretValues: values,
    destination: { write: (s: string) => void lines.push(s) },
  });
  return { logger, lines };
}

describe('createLogger', () => {
  it('collects every secret value of secrets.yml and the Redis URL password, not the Bull Board user', () => {
    expect(values).toContain('AK-live-7f3e9a1b');
    expect(values).toContain('url-pass-9876');
    expect(values).toContain('gr@fana-Adm1n');
    expect(values).not.toContain('admin');
  });

  it('never writes a secret value: in messages, fields, nested objects, errors, causes and stacks', () => {
    const { logger, lines } = capture();
    const [ak, sk, pk, mpw, rpw, bb, gr] = [
      secrets.exchange.api_key,
      secrets.exchange.secret,
      secrets.exchange.private_key,
      secrets.mariadb.password,
      secrets.redis.password,
      secrets.bull_board.password,
      secrets.grafana.admin_password,
    ];
    logger.info(`connecting with key ${ak}`);
    logger.info({ secrets }, 'the whole secrets object');
    logger.info({ exchange: { apiKey: ak, secret: sk, privateKey: pk } }, 'ccxt credentials');
    logger.warn(
      { a: { b: { c: { d: { note: `deep ${mpw}` } } } } },
      'deep field without a secret name',
    );
    logger.error(
      { url: `redis://:${encodeURIComponent(rpw)}@host`, conn: 'redis://:url-pass-9876@127.0.0.1' },
      'url',
    );
    const cause = new Error(`auth failed for password ${bb}`);
    const err = Object.assign(new Error(`login as admin/${gr} failed`, { cause }), { detail: sk });
    logger.error({ err }, 'error object');
    logger.error(err);
    logger.fatal(new TypeError(`bad private key ${pk}`), `msg with ${sk}`);
    logger.child({ token: 'tok-abcdef-123', mpw }).info('child bindings');

    expect(lines.length).toBe(9);
    const all = lines.join('');
    for (const v of [...values, 'tok-abcdef-123', JSON.stringify(sk).slice(1, -1)]) {
      expect(all.includes(v), `secret ${JSON.stringify(v)} leaked into the log:\n${all}`).toBe(
        false,
      );
    }
    expect(all).toContain('[REDACTED]');
    // what is not secret survives
    expect(lines[0]).toContain('connecting with key');
    expect(lines[5]).toContain('"type":"Error"');
    expect(lines[5]).toContain('login as admin/');
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
  });
});
