import { join } from 'node:path';
import { Queues, type Target, targetJobId } from '@3t/contracts';
import { HYPERLIQUID_LIVE_EXAMPLE, type QueueRuntime } from '@3t/runtime';
import {
  FAKE_HYPERLIQUID_WALLET,
  type FakeCandle,
  type FakeExchange,
  fakeHyperliquidClient,
  readCandleCsv,
  startFakeHyperliquid,
  waitUntil,
} from '@3t/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIPELINE_SERVICES } from '../../packages/cli/src/start/services';
import { CcxtExchange } from '../../packages/exchange/src';
import {
  cleanExits,
  merge,
  ROOT,
  type Stack,
  stackQueues,
  startStack,
  tail,
} from './pipeline-stack';

// Issue 15: the documented live example (config.yml.example, HYPERLIQUID_LIVE_EXAMPLE) as
// separate service processes against a fake Hyperliquid through ccxt's own hyperliquid class:
// leverage and margin mode set on the venue at start, market-feed polling the venue's candles,
// perpetual orders placed, filled and reconciled, positions read from the venue equal to 3T's.
const MINUTE = 60_000;
const SYMBOL = 'BTC/USDC:USDC';
const BACKFILL = 300;
const WAIT_MS = 120_000;

let fake: FakeExchange;
let stack: Stack;
let rt: QueueRuntime;
let candles: FakeCandle[];

/** Real BTC minutes moved to end at the current (still open) minute: live data for the venue. */
function recentCandles(count: number): FakeCandle[] {
  const rows = readCandleCsv(join(ROOT, 'data/ohlcv/binanceus_BTC-USDT_1m.csv')).slice(0, count);
  const current = Math.floor(Date.now() / MINUTE) * MINUTE;
  return rows.map((c, i) => ({ ...c, openTime: current - (rows.length - 1 - i) * MINUTE }));
}

async function one(sql: string, params: unknown[] = []): Promise<Record<string, unknown>> {
  const [rows] = await stack.db.pool.query(sql, params);
  return (rows as Record<string, unknown>[])[0] ?? {};
}

async function openIntents(): Promise<number> {
  const row = await one(
    "SELECT COUNT(*) AS n FROM order_intents WHERE status IN ('pending', 'submitted', 'partially_filled')",
  );
  return Number(row['n']);
}

/** A vote for the symbol now, as strategy-runner would publish it, at the venue's price. */
async function publishVote(position: number, at: number): Promise<void> {
  const price = Number(fake.venue.price('BTC'));
  const target: Target = {
    v: 1,
    exchange: 'hyperliquid',
    symbol: SYMBOL,
    at,
    position,
    pnlTotal: 1,
    voters: Math.abs(position),
    price,
    kelly: { kc: null, kh: null },
    reason: `e2e vote ${position}`,
    computedAt: Date.now(),
  };
  await rt.queue(Queues.targets).add(Queues.targets, target, { jobId: targetJobId(target) });
}

async function targetsDone(): Promise<void> {
  await waitUntil(
    'order-executor completes every target and leaves no intent open',
    async () => {
      const counts = await rt.queue(Queues.targets).getJobCounts('waiting', 'active', 'delayed');
      const queued = Object.values(counts).reduce((a, b) => a + b, 0);
      return queued === 0 && (await openIntents()) === 0;
    },
    WAIT_MS,
    500,
  ).catch((e: Error) => {
    throw new Error(`${e.message}\n--- order-executor\n${tail(stack, 'order-executor', 30)}`);
  });
}

describe('the Hyperliquid live example against a fake Hyperliquid, services as processes', () => {
  beforeAll(async () => {
    candles = recentCandles(BACKFILL + 100);
    fake = await startFakeHyperliquid({
      markets: [{ symbol: SYMBOL, candles, szDecimals: 5, maxLeverage: 40 }],
      balances: { USDC: '10000' },
      clock: 'last',
    });
    // exactly the documented example; the test adds only where the venue is and how often
    // market-feed polls it (Redis, MariaDB and the ports come from startStack)
    const config = JSON.parse(JSON.stringify(HYPERLIQUID_LIVE_EXAMPLE)) as Record<string, unknown>;
    merge(config, {
      exchange: { base_url: fake.url },
      feed: { poll_seconds: 1, backfill_candles: BACKFILL },
    });
    stack = await startStack({
      candles: 10,
      label: 'e2e-hl',
      // order-executor first: it sets the leverage that strategy-runner reads at its start
      services: PIPELINE_SERVICES.filter((s) => s.name === 'order-executor'),
      extra: config,
      secrets: {
        exchange: {
          wallet_address: FAKE_HYPERLIQUID_WALLET.walletAddress,
          private_key: FAKE_HYPERLIQUID_WALLET.privateKey,
        },
      },
      env: { TT_CONFIRM_LIVE: 'yes' },
    });
    rt = stackQueues(stack);
    await waitUntil(
      'order-executor recorded the leverage it set on the venue',
      async () => Number((await one('SELECT COUNT(*) AS n FROM venue_leverage'))['n']) > 0,
      WAIT_MS,
      500,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n--- order-executor\n${tail(stack, 'order-executor', 30)}`);
    });
    for (const spec of PIPELINE_SERVICES.filter((s) => s.name !== 'order-executor')) {
      stack.launch(spec);
    }
  }, WAIT_MS + 60_000);

  afterAll(async () => {
    await rt?.close();
    await stack?.cleanup();
    await fake?.close();
  }, 60_000);

  it('sets the market maximum leverage (40×) isolated on the venue at start, signed, and records it', async () => {
    const state = fake.state();
    expect(
      state.leverageUpdates.map((u) => [u.symbol, u.leverage, u.marginMode]),
      'updateLeverage accepted by the venue',
    ).toEqual([[SYMBOL, 40, 'isolated']]);
    const signed = state.signedActions.filter((a) => a.type === 'updateLeverage');
    expect(signed.map((a) => a.action)).toEqual([
      { type: 'updateLeverage', asset: 0, isCross: false, leverage: 40 },
    ]);
    expect(signed[0]?.signature.r, 'signed by ccxt with the wallet key').toMatch(/^0x[0-9a-f]+$/);
    const row = await one('SELECT * FROM venue_leverage');
    expect(row).toMatchObject({
      mode: 'live',
      exchange: 'hyperliquid',
      symbol: SYMBOL,
      leverage: 40,
      market_max_leverage: 40,
      margin_mode: 'isolated',
    });
  });

  it("strategy-runner caps and weighs its runs with the venue's 40×", async () => {
    await waitUntil(
      'strategy-runner logged its leverage',
      async () => (stack.logs.get('strategy-runner') ?? []).some((l) => l.includes('max leverage')),
      WAIT_MS,
      500,
    );
    const line = (stack.logs.get('strategy-runner') ?? []).find((l) => l.includes('max leverage'));
    expect((JSON.parse(line ?? '{}') as { leverage?: unknown }).leverage, line).toEqual({
      [SYMBOL]: 40,
    });
  });

  it("market-feed publishes the venue's closed candles (candleSnapshot through ccxt)", async () => {
    await waitUntil(
      'backfilled candles published',
      async () =>
        ((await rt.queue(Queues.candles).getJobCounts('completed')).completed ?? 0) >= BACKFILL - 1,
      WAIT_MS,
      500,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n--- market-feed\n${tail(stack, 'market-feed', 30)}`);
    });
    const jobs = await rt.queue(Queues.candles).getJobs(['completed']);
    const byTime = new Map(candles.map((c) => [c.openTime, c]));
    for (const job of jobs.slice(0, 20)) {
      const c = job.data as { openTime: number; close: number; exchange: string; symbol: string };
      expect([c.exchange, c.symbol]).toEqual(['hyperliquid', SYMBOL]);
      expect(c.close, `candle ${c.openTime}`).toBe(Number(byTime.get(c.openTime)?.close));
    }
  });

  it('places and fills perpetual orders long and then short, and reconciles with the venue', {
    timeout: 3 * WAIT_MS,
  }, async () => {
    const start = Date.now();
    await publishVote(1000, start - 3_000);
    await targetsDone();
    await publishVote(-1000, start - 2_000);
    await targetsDone();
    await publishVote(-1000, start - 1_000);
    await targetsDone();

    const [intents] = await stack.db.pool.query(
      "SELECT side, status, quantity FROM order_intents WHERE symbol = ? AND reason LIKE 'vote %' ORDER BY created_at",
      [SYMBOL],
    );
    const list = intents as { side: string; status: string }[];
    expect(
      list.map((i) => i.status).every((s) => s === 'filled'),
      JSON.stringify(list),
    ).toBe(true);
    expect(list.some((i) => i.side === 'buy') && list.some((i) => i.side === 'sell')).toBe(true);

    // every venue trade is in MariaDB once, with its quantity and side
    const venueTrades = fake.state().trades;
    const [fills] = await stack.db.pool.query(
      "SELECT trade_id, side, quantity, fee_currency FROM fills WHERE mode = 'live' AND symbol = ? ORDER BY trade_id",
      [SYMBOL],
    );
    const stored = (fills as { trade_id: string; side: string; quantity: string }[]).map((f) => [
      f.trade_id,
      f.side,
      Number(f.quantity),
    ]);
    expect(stored).toEqual(
      venueTrades.map((t) => [String(t.id), t.side === 'BUY' ? 'buy' : 'sell', Number(t.qty)]),
    );
    expect(venueTrades.length, 'the votes traded').toBeGreaterThanOrEqual(2);

    // a reconciliation pass after the trades: positions read from the venue equal 3T's
    await rt.queue(Queues.reconcile).add('reconcile', { trigger: 'manual' });
    await waitUntil(
      'a manual reconciliation recorded',
      async () =>
        Number(
          (await one("SELECT COUNT(*) AS n FROM reconciliations WHERE trigger_kind = 'manual'"))[
            'n'
          ],
        ) > 0,
      WAIT_MS,
      500,
    );
    const recon = await one(
      "SELECT status, differences FROM reconciliations WHERE trigger_kind = 'manual' ORDER BY id DESC LIMIT 1",
    );
    expect(recon['status'], JSON.stringify(recon)).toBe('ok');
    // every step complete: the position was compared, not skipped
    const differences = (
      typeof recon['differences'] === 'string'
        ? JSON.parse(recon['differences'])
        : (recon['differences'] ?? [])
    ) as { kind: string }[];
    expect(differences, JSON.stringify(recon)).toEqual([]);
    expect(Number((await one('SELECT COUNT(*) AS n FROM trading_halts'))['n'])).toBe(0);

    // The services go on trading on the venue's new candles (strategy-runner's own votes: a flat
    // one closes the position), so 3T's position and the venue are compared as read at one moment:
    // no venue trade during the reads and none in flight (every venue trade already a fill).
    const reader = new CcxtExchange(fakeHyperliquidClient(fake.url));
    try {
      let read = { ours: 0, signedSum: 0, ledger: 0, theirs: undefined as number | undefined };
      await waitUntil(
        'our position and the venue read with no trade between',
        async () => {
          const trades = fake.state().trades.length;
          const fillCount = Number(
            (
              await one("SELECT COUNT(*) AS n FROM fills WHERE mode = 'live' AND symbol = ?", [
                SYMBOL,
              ])
            )['n'],
          );
          const ours = Number(
            (
              await one("SELECT quantity FROM positions WHERE mode = 'live' AND symbol = ?", [
                SYMBOL,
              ])
            )['quantity'],
          );
          const [theirs] = await reader.fetchPositions([SYMBOL]);
          const state = fake.state();
          read = {
            ours,
            signedSum: state.trades.reduce(
              (s, t) => s + (t.side === 'BUY' ? 1 : -1) * Number(t.qty),
              0,
            ),
            ledger: Number(state.positions[SYMBOL]?.size ?? 0),
            theirs: theirs?.quantity,
          };
          return fillCount === trades && state.trades.length === trades;
        },
        WAIT_MS,
        200,
      );
      const { ours } = read;
      expect(ours, 'our position = Σ signed venue trades').toBeCloseTo(read.signedSum, 12);
      expect(read.ledger, 'the venue ledger').toBeCloseTo(ours, 12);
      expect(read.theirs, 'position read from the venue (clearinghouseState)').toBeCloseTo(
        ours,
        12,
      );
      // an open position carries the venue's leverage and margin mode (a flat one is not listed:
      // the votes may end flat, and the start-up test above checks the setting itself)
      if (ours !== 0) {
        const [raw] = await reader.ccxt.fetchPositions([SYMBOL]);
        expect([raw?.leverage, raw?.marginMode]).toEqual([40, 'isolated']);
      }
    } finally {
      await reader.close();
    }
  });

  it('writes neither the private key nor the wallet secret into any log', () => {
    for (const [name, lines] of stack.logs) {
      const key = FAKE_HYPERLIQUID_WALLET.privateKey.slice(2);
      expect(
        lines.some((l) => l.includes(key)),
        `${name} log`,
      ).toBe(false);
    }
  });

  it('stops every service cleanly on SIGTERM (exit code 0)', async () => {
    expect(await stack.stop(), 'exit codes').toEqual(cleanExits());
  });
});
