import type { Config } from '@3t/runtime';
import type { BacktestResult } from '../backtest-result';
import type { BacktestSummary } from './backtest-summary';

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/**
 * Plain sentences on why the result is what it is, from what the engine saw (strategy.md §6): a
 * zero-trade result always gets one (no run profitable enough to vote, every order denied,
 * targets too small to trade…); then the run cap, the size of the exposure, the denials.
 */
export function explainResult(
  result: BacktestResult,
  summary: Omit<BacktestSummary, 'explanation'>,
): string[] {
  const out: string[] = [];
  const d = result.diagnostics;
  const config = result.meta.config as Partial<Config> | undefined;
  const { runs } = summary;
  const candles = result.candles.reduce((s, c) => s + c.times.length, 0);
  const denied = countBy(result.denials.map((x) => x.rule));
  if (result.fills.length === 0) {
    if (!d) {
      out.push('No trade: the strategy placed no order.');
    } else if (d.votes === 0) {
      out.push(
        `No trade: no run became profitable enough to vote (a vote needs live PnL above providence.min_vote_pnl = ${d.minVotePnl} and a net position) in ${d.targets} targets over ${candles} candles; ${runs.population} runs existed, at most ${d.peakActive} active at once.`,
      );
    } else if ((d.decisions.denied ?? 0) > 0 && !d.decisions.order) {
      out.push(
        `No trade: ${d.votes} of ${d.targets} targets carried a vote, but the risk rules denied every order (${list(denied)}).`,
      );
    } else if ((d.decisions.none ?? 0) > 0 && !d.decisions.order) {
      out.push(
        `No trade: ${d.votes} of ${d.targets} targets carried a vote, but the sized target never moved the position by sizing.min_order_notional (${config?.sizing?.min_order_notional ?? '?'}) or more; risk.max_position_notional is ${config?.risk?.max_position_notional ?? '?'}.`,
      );
    } else {
      out.push(
        `No trade: ${d.votes} of ${d.targets} targets carried a vote; order-executor's decisions: ${list(d.decisions) || 'none'}.`,
      );
    }
  }
  if (d && runs.capLimit !== null && runs.requested > runs.capLimit) {
    const caps = d.population
      .map(
        (p) =>
          `${p.symbol}: ${p.limit} = floor(${d.maxRunsPerLeverage} × leverage ${p.leverage}) + 1`,
      )
      .join('; ');
    out.push(
      `The run cap binds: ${runs.requested} runs requested, at most ${runs.capLimit} can be active (providence.max_runs_per_leverage; ${caps}); ${runs.effective} were active at most.`,
    );
  }
  if (result.fills.length > 0) {
    for (const m of summary.exposureMatched) {
      const sym = summary.perSymbol.find((s) => s.symbol === m.symbol);
      out.push(
        `${m.symbol}: the strategy held on average ${pct(m.share)} of equity (at most ${pct(sym?.maxShare ?? 0)}); buy-and-hold of that share returned ${pct(m.metrics.totalReturn)}, the strategy ${pct(summary.strategy.totalReturn)} in all.`,
      );
    }
  }
  const funding = result.funding ?? [];
  if (funding.length > 0) {
    const paid = funding.filter((p) => p.amount < 0).reduce((s, p) => s - p.amount, 0);
    const received = funding.filter((p) => p.amount > 0).reduce((s, p) => s + p.amount, 0);
    out.push(
      `Funding of the perpetual positions at ${funding.length} funding times: paid ${paid.toFixed(2)}, received ${received.toFixed(2)}, net ${(received - paid).toFixed(2)} (in the trades' PnL and the equity).`,
    );
  }
  for (const l of result.liquidations ?? []) {
    out.push(
      `${l.symbol}: the venue liquidated the position (${l.side} ${l.quantity} at ${l.price}) on ${new Date(l.at).toISOString()}: its margin + unrealized PnL fell below exchange.maintenance_margin_rate; risk.min_liquidation_buffer closes a position before that.`,
    );
  }
  if (result.denials.length > 0 && result.fills.length > 0) {
    out.push(`Risk rules denied ${result.denials.length} orders (${list(denied)}).`);
  }
  if (config?.sizing?.trading_calendar) {
    out.push(
      "sizing.trading_calendar is set: no decision was taken while upstream's calendar said the market was closed (weekends from Friday 23:00, 1 January, 25 December and Good Friday, Europe/Vatican time).",
    );
  }
  return out;
}

function countBy(xs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

function list(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}
