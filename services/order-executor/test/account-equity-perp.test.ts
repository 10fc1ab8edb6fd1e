import { clientOrderId } from '@3t/contracts';
import { PaperBroker } from '@3t/exchange';
import { newOrderExecutorState } from '@3t/handlers';
import { createServiceMetrics } from '@3t/runtime/telemetry';
import { expect, it } from 'vitest';
import { accountGauges } from '../src/instrumented-account';
import { MariaDbPositionStore } from '../src/mariadb-stores';
import { useExecutorDatabase } from './support/executor-database';

// The equity order-executor hands strategy-runner (account_equity, its epochs' ±20 % / +100 %
// thresholds) and shows as tt_equity. A perpetual's notional is margined, not paid from the cash:
// the paper venue's cash stays the starting balance less fees, so the equity is that plus the open
// PnL — as the backtest's book counts it — not plus the whole notional as a bought spot coin.

const executor = useExecutorDatabase('oe_equity_perp');
const SYMBOL = 'ETH/USDT:USDT';
const T0 = 1_700_000_000_000;

it.each([
  ['long', 'buy', 4],
  ['short', 'sell', -4],
] as const)(
  'a paper perpetual %s counts its open PnL in the equity, not its notional',
  async (_name, side, signed) => {
    const { db } = executor;
    const venue = await PaperBroker.open({
      pool: db.pool,
      account: `binance_${side}`,
      startingBalance: 10_000,
      feeRate: 0,
      slippageBps: 0,
      now: () => T0,
      perp: { leverage: { [SYMBOL]: 5 }, maintenanceMarginRate: 0.005 },
    });
    const positions = new MariaDbPositionStore(db.pool, 'paper');
    await venue.applyPrice(SYMBOL, 2000, T0);
    await venue.placeOrder({
      symbol: SYMBOL,
      side,
      type: 'market',
      quantity: 4,
      clientOrderId: clientOrderId(`equity-${side}`),
    });
    for (const f of await venue.applyPrice(SYMBOL, 2000, T0 + 60_000)) {
      await positions.recordFill(f);
    }
    const state = newOrderExecutorState();
    state.lastPrice.set(SYMBOL, 2100);
    const written: number[] = [];
    const gauges = accountGauges({
      broker: venue,
      positions,
      state,
      metrics: createServiceMetrics('order-executor').orders,
      symbols: [SYMBOL],
      onEquity: async (_exchange, equity) => {
        written.push(equity);
      },
    });
    await gauges(venue.id, T0 + 120_000, true);
    // 10,000 of cash (no fee), open PnL signed × (2100 − 2000)
    expect(written).toHaveLength(1);
    expect(written[0]).toBeCloseTo(10_000 + signed * (2100 - 2000), 9);
  },
);
