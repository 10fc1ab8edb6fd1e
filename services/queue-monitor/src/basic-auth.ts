import { createHash, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestHandler } from 'express';
import { createLoginThrottle, type LoginThrottle } from './login-throttle';

export interface Credentials {
  username: string;
  password: string;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison of two strings of any length (hashes have equal length). */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** The user and password of an `Authorization: Basic …` header, or undefined. */
export function parseBasicAuth(header: string | undefined): Credentials | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * HTTP Basic authentication (RFC 7617): 401 with a `WWW-Authenticate` challenge unless the
 * request carries exactly `expected`. The browser asks for the user and password itself.
 * Wrong credentials from one address are answered ever more slowly (`throttle`); a request with
 * no credentials at all (the browser's first request) is not counted as a failed login.
 */
export function basicAuth(
  expected: Credentials,
  realm = '3T queue monitor',
  throttle: LoginThrottle = createLoginThrottle(),
): RequestHandler {
  return async (req, res, next) => {
    const given = parseBasicAuth(req.headers.authorization);
    // Both comparisons always run, so the time taken does not tell which part was wrong.
    const userOk = sameSecret(given?.username ?? '', expected.username);
    const passOk = sameSecret(given?.password ?? '', expected.password);
    const client = req.socket.remoteAddress ?? 'unknown';
    if (given && userOk && passOk) {
      throttle.succeeded(client);
      next();
      return;
    }
    if (req.headers.authorization) {
      const delay = throttle.failed(client);
      if (delay > 0) await sleep(delay);
    }
    res
      .status(401)
      .set('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`)
      .type('text/plain')
      .send('authentication required');
  };
}
