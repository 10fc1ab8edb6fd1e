import type { ExchangePort } from '@3t/contracts';
import {
  type CcxtExchange,
  ccxtClientConfig,
  configureLeverage,
  createCcxtExchange,
  PaperBroker,
  resolveLeverage,
} from '@3t/exchange';
import { type Config, FatalError, type Secrets, type SymbolLeverage } from '@3t/runtime';
import type { Pool } from 'mysql2/promise';

export interface Venue {
  readonly kind: 'paper-broker' | 'ccxt';
  readonly broker: ExchangePort;
  /** Set in paper mode: the price of each target is applied to it (fills at the next price). */
  readonly paper: PaperBroker | null;
  /** Set for a real venue: the ccxt adapter (leverage and margin mode are set through it). */
  readonly ccxt: CcxtExchange | null;
}

/**
 * The leverage of every configured symbol, set on the venue for each perpetual together with the
 * margin mode (config `exchange.leverage`, else the market's maximum; `exchange.margin_mode`). On
 * the paper broker: config `exchange.leverage`, else 1.
 */
export async function venueLeverage(venue: Venue, config: Config): Promise<SymbolLeverage[]> {
  const settings = { leverage: config.exchange.leverage, marginMode: config.exchange.margin_mode };
  if (!venue.ccxt) return resolveLeverage(config.exchange.symbols, {}, settings);
  return configureLeverage(venue.ccxt, config.exchange.symbols, settings);
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Where orders go. `mode: live` (confirmed by loadConfig) → ccxt on the configured exchange.
 * `mode: paper` → the MariaDB paper broker, under the account named like `exchange.id` so fills
 * and positions carry the exchange id of the targets; a paper run may instead point ccxt at a
 * local test venue with `exchange.base_url`, but only on loopback, so paper never reaches a real
 * exchange.
 */
export async function openVenue(config: Config, secrets: Secrets, pool: Pool): Promise<Venue> {
  const baseUrl = config.exchange.base_url;
  if (config.mode === 'live' || baseUrl) {
    if (config.mode === 'paper' && baseUrl && !LOOPBACK.has(new URL(baseUrl).hostname)) {
      throw new FatalError(
        `exchange.base_url ${new URL(baseUrl).host} is not a loopback address: mode paper only trades on the paper broker or a local test venue; remove exchange.base_url, or use mode: live with confirmation`,
      );
    }
    // a local test venue has no rate limit to respect: ccxt's throttle only slows tests
    const broker = createCcxtExchange(
      {
        ...ccxtClientConfig(config, secrets),
        ...(config.mode === 'paper' ? { enableRateLimit: false } : {}),
      },
      // executeIntent asks the venue about the client order id before every placement but the
      // first (attempts > 0: persisted before any call), so the adapter's own check would only
      // repeat that query for an id that cannot exist yet
      { checkBeforePlace: false },
    );
    return { kind: 'ccxt', broker, paper: null, ccxt: broker };
  }
  const paper = await PaperBroker.open({
    pool,
    account: config.exchange.id,
    quoteCurrency: config.paper.quote_currency,
    startingBalance: config.paper.starting_balance,
    feeRate: config.paper.fee_rate,
    slippageBps: config.paper.slippage_bps,
    // a price that fills nothing is written within 250 ms, gathered, instead of one commit (a
    // redo-log flush) per target; every other statement of the venue writes it first
    priceWriteMs: 250,
    // perpetual symbols are margined at their configured leverage, liquidated at maintenance
    perp: {
      leverage: config.exchange.leverage,
      maintenanceMarginRate: config.exchange.maintenance_margin_rate,
    },
  });
  return { kind: 'paper-broker', broker: paper, paper, ccxt: null };
}
