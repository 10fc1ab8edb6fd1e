import type { Exchange } from 'ccxt';

/**
 * Points a ccxt exchange at another origin: every URL string in `exchange.urls.api` keeps its path
 * and gets `origin` (e.g. `http://127.0.0.1:40123`, a fake exchange in tests) in place of the
 * venue's host.
 */
export function pointCcxtAt(exchange: Exchange, origin: string): void {
  const base = origin.replace(/\/+$/, '');
  const rewrite = (value: unknown): unknown => {
    if (typeof value === 'string') {
      // some venues (Hyperliquid) template their host: `https://api.{hostname}`
      const url = new URL(value.replace('{hostname}', exchange.hostname ?? 'venue.invalid'));
      return `${base}${url.pathname === '/' ? '' : url.pathname}`;
    }
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v)]));
    }
    return value;
  };
  exchange.urls = { ...exchange.urls, api: rewrite(exchange.urls.api) as typeof exchange.urls.api };
}
