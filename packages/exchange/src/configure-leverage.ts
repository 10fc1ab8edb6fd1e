import { isPerpetual } from '@3t/contracts';
import type { SymbolLeverage } from '@3t/runtime';
import ccxtLib from 'ccxt';
import type { CcxtExchange } from './ccxt-exchange';
import { classifyError } from './exchange-port-error';

export interface LeverageSettings {
  /** config `exchange.leverage`: max leverage per symbol; others use the market's maximum. */
  readonly leverage: Readonly<Record<string, number>>;
  /** config `exchange.margin_mode`, set on the venue with the leverage of each perpetual. */
  readonly marginMode: 'isolated' | 'cross';
}

/**
 * The leverage of each symbol: config `exchange.leverage`, else the venue market's maximum (ccxt
 * `limits.leverage.max`, Hyperliquid's `maxLeverage`), else 1. A spot symbol is 1 whatever the
 * config says, as in the backtest (so the Providence run cap is the same in both): spot is a
 * market ccxt loaded that is not a contract, or, with no markets (the paper broker), a symbol
 * without a settle currency (`isPerpetual`). Pure: `markets` is what ccxt loaded.
 */
export function resolveLeverage(
  symbols: readonly string[],
  markets: Readonly<
    Record<string, { contract?: boolean; limits?: { leverage?: { max?: number | undefined } } }>
  >,
  settings: LeverageSettings,
): SymbolLeverage[] {
  return symbols.map((symbol) => {
    const market = markets[symbol];
    const max = market?.limits?.leverage?.max;
    const marketMax =
      typeof max === 'number' && Number.isFinite(max) && max >= 1 ? Math.floor(max) : null;
    const perpetual = market ? market.contract === true : isPerpetual(symbol);
    if (!perpetual) return { symbol, leverage: 1, marketMax, marginMode: null };
    const configured = settings.leverage[symbol];
    if (configured !== undefined && marketMax !== null && configured > marketMax) {
      throw new RangeError(
        `exchange.leverage.${symbol} is ${configured} but the venue allows at most ${marketMax}: lower it to ${marketMax} or less`,
      );
    }
    return {
      symbol,
      leverage: configured ?? marketMax ?? 1,
      marketMax,
      marginMode: market?.contract === true ? settings.marginMode : null,
    };
  });
}

/**
 * Sets leverage and margin mode on the venue for every perpetual among `symbols` (Hyperliquid:
 * one `updateLeverage` action each; Binance USDⓈ-M: `marginType`, then `leverage`) and returns what each symbol resolved to. Run at every start
 * (crash-only: start-up is the same path after any restart); setting the same values again is
 * harmless.
 */
export async function configureLeverage(
  exchange: CcxtExchange,
  symbols: readonly string[],
  settings: LeverageSettings,
): Promise<SymbolLeverage[]> {
  const ccxt = exchange.ccxt;
  await exchange.loadMarkets();
  const resolved = resolveLeverage(symbols, ccxt.markets ?? {}, settings);
  for (const r of resolved) {
    if (r.marginMode === null) continue;
    // Hyperliquid takes the margin mode with the leverage (one updateLeverage); Binance and most
    // others keep it apart (setMarginMode, which ccxt treats as done when it is already set) and
    // ignore a marginMode passed to setLeverage.
    if (ccxt.id !== 'hyperliquid' && ccxt.has['setMarginMode']) {
      try {
        await ccxt.setMarginMode(r.marginMode, r.symbol);
      } catch (err) {
        // every start sets it again: "already set" (Binance -4046) is the answer of a restart
        if (!(err instanceof ccxtLib.MarginModeAlreadySet)) {
          throw classifyError(err, `setMarginMode ${r.symbol} ${r.marginMode}`);
        }
      }
    }
    try {
      await ccxt.setLeverage(r.leverage, r.symbol, { marginMode: r.marginMode });
    } catch (err) {
      throw classifyError(err, `setLeverage ${r.symbol} ${r.leverage}x ${r.marginMode}`);
    }
  }
  return resolved;
}
