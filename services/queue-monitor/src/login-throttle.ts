/**
 * Slows down password guessing: after `freeFailures` failed logins from one client address, each
 * further failure is answered only after a delay that doubles per failure, up to `maxDelayMs`.
 * A success, or `windowMs` without a failure, forgets the address. At most `maxClients`
 * addresses are remembered (the oldest is forgotten first), so a flood cannot exhaust memory.
 */
export interface LoginThrottleOptions {
  freeFailures?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  windowMs?: number;
  maxClients?: number;
  /** milliseconds since the epoch; injected by tests */
  now?: () => number;
}

export interface LoginThrottle {
  /** Records a failed login from `client`; returns how long to wait before answering (ms). */
  failed(client: string): number;
  /** A successful login: `client` starts afresh. */
  succeeded(client: string): void;
  /** Failures of `client` that still count. */
  failures(client: string): number;
}

export function createLoginThrottle(options: LoginThrottleOptions = {}): LoginThrottle {
  const freeFailures = options.freeFailures ?? 3;
  const baseDelayMs = options.baseDelayMs ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const windowMs = options.windowMs ?? 15 * 60_000;
  const maxClients = options.maxClients ?? 10_000;
  const now = options.now ?? Date.now;
  /** client → failures and the time of the last one (Map keeps insertion order: oldest first) */
  const clients = new Map<string, { count: number; last: number }>();

  const current = (client: string) => {
    const entry = clients.get(client);
    if (entry && now() - entry.last > windowMs) {
      clients.delete(client);
      return undefined;
    }
    return entry;
  };

  return {
    failed(client) {
      const count = (current(client)?.count ?? 0) + 1;
      clients.delete(client);
      clients.set(client, { count, last: now() });
      while (clients.size > maxClients) {
        const oldest = clients.keys().next().value;
        if (oldest === undefined) break;
        clients.delete(oldest);
      }
      if (count <= freeFailures) return 0;
      return Math.min(maxDelayMs, baseDelayMs * 2 ** (count - freeFailures - 1));
    },
    succeeded(client) {
      clients.delete(client);
    },
    failures(client) {
      return current(client)?.count ?? 0;
    },
  };
}
