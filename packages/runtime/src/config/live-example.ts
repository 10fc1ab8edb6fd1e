/**
 * The documented live example: Hyperliquid perpetuals as upstream trades them. config.yml.example
 * shows it (rendered from here), and test/e2e/hyperliquid.test.ts runs exactly these keys against
 * a local fake venue, adding only where the services find it, Redis, MariaDB and their ports.
 */
export const HYPERLIQUID_LIVE_EXAMPLE = {
  mode: 'live',
  exchange: {
    id: 'hyperliquid',
    symbols: ['BTC/USDC:USDC'],
    margin_mode: 'isolated',
  },
  feed: { source: 'exchange' },
} as const;

/** The example as commented YAML lines for the head of config.yml.example. */
export function renderLiveExample(): string[] {
  const out = [
    '# Live trading example (Hyperliquid perpetuals), exactly what test/e2e/hyperliquid.test.ts',
    '# runs against a local fake venue:',
  ];
  const walk = (value: Record<string, unknown>, indent: string) => {
    for (const [key, v] of Object.entries(value)) {
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        out.push(`#   ${indent}${key}:`);
        walk(v as Record<string, unknown>, `${indent}  `);
      } else out.push(`#   ${indent}${key}: ${JSON.stringify(v)}`);
    }
  };
  walk(HYPERLIQUID_LIVE_EXAMPLE, '');
  out.push(
    '# Leverage: exchange.leverage per symbol, else the market maximum (40 for BTC); order-executor',
    '# sets it and the margin mode on the venue at start. secrets.yml: exchange.wallet_address and',
    '# exchange.private_key (an API wallet). Start with --confirm-live or TT_CONFIRM_LIVE=yes.',
  );
  return out;
}
