import { setTimeout as sleep } from 'node:timers/promises';
import { type Candle, candleJobId, Queues, timeframeMs } from '@3t/contracts';
import { ccxtClientConfig, createCcxtExchange, type DropReason } from '@3t/exchange';
import { CandleGate, candleDifferences, type GateResult, type RawCandle } from '@3t/handlers';
import { startService } from '@3t/runtime/service';
import {
  type CandleDropReason,
  tracePublish,
  withSpan,
  withTraceContext,
} from '@3t/runtime/telemetry';
import { readReplay } from './replay-source';

// market-feed: publishes each closed candle once (job id candle|exchange|symbol|tf|openTime) from
// a replay of CSV files or by polling the exchange's fetchOHLCV.
const { config, secrets, logger, shutdown, metrics, serve, openQueues } = await startService({
  name: 'market-feed',
});
const tfMs = timeframeMs(config.exchange.timeframe);
metrics.feed.timeframe.set(tfMs / 1000);
const queues = openQueues();
let lastCandleAt = 0;
await serve(() => ({ ok: true, details: { lastCandleAt } }));
const stop = new AbortController();
shutdown.add('feed', () => stop.abort());

const gates = new Map(
  config.exchange.symbols.map((symbol) => [
    symbol,
    new CandleGate(
      {
        exchange: config.exchange.id,
        symbol,
        timeframe: config.exchange.timeframe,
        timeframeMs: tfMs,
      },
      {
        maxClockSkewMs: config.queues.max_clock_skew_seconds * 1000,
        // a recording holds closed candles only; the wall clock still bounds them from above
        recorded: config.feed.source === 'replay',
      },
    ),
  ]),
);
for (const reason of ['future', 'conflict'] as const) {
  metrics.queue.deadLettered.inc({ queue: Queues.candles, reason }, 0);
}

/** Bad data from the source, kept where an operator looks for it (Bull Board, the alert). */
async function deadLetter(
  reason: 'future' | 'conflict',
  error: string,
  data: unknown,
  jobId: string,
  conflictsWith?: unknown,
): Promise<void> {
  await queues.deadLetter({
    queue: Queues.candles,
    jobId,
    jobName: Queues.candles,
    reason,
    error,
    attemptsMade: 0,
    data,
    ...(conflictsWith !== undefined ? { conflictsWith } : {}),
  });
  metrics.queue.deadLettered.inc({ queue: Queues.candles, reason });
}

/**
 * `published`: the candle may have been published before this process started (the backfill of
 * the first poll): a job BullMQ still keeps under its id with other values is the first value,
 * which stands; the new one is a conflict (BullMQ would drop it silently).
 */
async function offer(
  symbol: string,
  raw: RawCandle,
  now: number,
  published = false,
): Promise<void> {
  const result: GateResult = gates.get(symbol)!.admit(raw, now);
  if (!result.ok) {
    metrics.feed.candlesDropped.inc({ reason: result.reason });
    if (result.reason === 'invalid') logger.warn({ symbol, error: result.error }, 'candle dropped');
    if (result.offered && (result.reason === 'future' || result.reason === 'conflict')) {
      const id = candleJobId(result.offered);
      await deadLetter(result.reason, result.error, result.offered, id, result.admitted);
    }
    return;
  }
  const { candle, jobId } = result;
  if (published) {
    const first = (await queues.queue(Queues.candles).getJob(jobId))?.data as Candle | undefined;
    const diff = first ? candleDifferences(first, candle) : '';
    if (first && diff) {
      metrics.feed.candlesDropped.inc({ reason: 'conflict' });
      const error = `candle ${candle.openTime} was published before this start with other values: ${diff}`;
      await deadLetter('conflict', error, candle, jobId, first);
      return;
    }
  }
  await withSpan('candle', { attributes: { 'tt.symbol': symbol } }, async () => {
    await tracePublish(Queues.candles, () =>
      queues.publish(Queues.candles, withTraceContext(candle), jobId),
    );
    // Inside the candle's span: the line carries trace_id/span_id, which lead to the trace.
    logger.debug({ symbol, openTime: candle.openTime, jobId }, 'candle published');
  });
  metrics.feed.candlesReceived.inc({ symbol });
  metrics.feed.lastCandle.set({ symbol }, (candle.openTime + tfMs) / 1000);
  metrics.feed.lag.set({ symbol }, (candle.receivedAt - (candle.openTime + tfMs)) / 1000);
  lastCandleAt = candle.receivedAt;
}

/** The CSV parser's drop reasons as the catalogue's `reason` values (a malformed row is invalid). */
const CSV_DROP_LABEL: Record<DropReason, CandleDropReason> = {
  malformed: 'invalid',
  invalid: 'invalid',
  duplicate: 'duplicate',
  'out-of-order': 'out_of_order',
  future: 'future',
};

async function replay(): Promise<void> {
  const { rows, dropped, problems } = await readReplay(
    config.feed.replay_dir,
    config.exchange.id,
    config.exchange.symbols,
    config.exchange.timeframe,
  );
  for (const p of problems) logger.warn(p, 'CSV row dropped');
  for (const [reason, count] of dropped) {
    metrics.feed.candlesDropped.inc({ reason: CSV_DROP_LABEL[reason] }, count);
  }
  logger.info({ candles: rows.length, speed: config.feed.replay_speed }, 'replay starting');
  const speed = config.feed.replay_speed;
  const started = Date.now();
  const first = rows[0]?.raw.openTime ?? 0;
  for (const { symbol, raw } of rows) {
    if (stop.signal.aborted) return;
    if (speed > 0) {
      const due = started + (raw.openTime - first) / speed;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait, undefined, { signal: stop.signal }).catch(() => undefined);
    }
    // A recorded candle has closed when it is played; one dated after our clock + skew is refused.
    await offer(symbol, raw, Date.now());
  }
  logger.info({ candles: rows.length }, 'replay finished; idle until stopped');
}

async function poll(): Promise<void> {
  const exchange = createCcxtExchange(ccxtClientConfig(config, secrets));
  const backfill = config.feed.backfill_candles;
  while (!stop.signal.aborted) {
    for (const symbol of config.exchange.symbols) {
      const gate = gates.get(symbol)!;
      const since = Number.isFinite(gate.lastOpenTime)
        ? gate.lastOpenTime + tfMs
        : Date.now() - (backfill + 1) * tfMs;
      try {
        const candles = await exchange.fetchCandles(symbol, config.exchange.timeframe, { since });
        // until a candle is admitted, this is the backfill: published before a restart, maybe
        const firstFetch = !Number.isFinite(gate.lastOpenTime);
        for (const c of candles) await offer(symbol, c, Date.now(), firstFetch);
      } catch (err) {
        logger.warn({ err, symbol }, 'fetchOHLCV failed; retrying at the next poll');
      }
    }
    await sleep(config.feed.poll_seconds * 1000, undefined, { signal: stop.signal }).catch(
      () => undefined,
    );
  }
}

try {
  await (config.feed.source === 'replay' ? replay() : poll());
} catch (err) {
  await shutdown.fatal(err, 'market-feed failed');
}
