import { candleSchema, featuresJobId, Queues } from '@3t/contracts';
import { CandleConflictError, createInferenceHandler } from '@3t/handlers';
import { DeadLetterError } from '@3t/runtime';
import { startService } from '@3t/runtime/service';
import { instrumentHandler, tracePublish, withTraceContext } from '@3t/runtime/telemetry';
import { RedisLatestFeatures } from './redis-latest-features';

// inference: candles → features of the symbol (strategy.md §2), latest kept in Redis.
const { config, logger, shutdown, metrics, serve, openQueues } = await startService({
  name: 'inference',
});
const queues = openQueues();
await serve();

// the latest features are written once a second (one MSET), not once per candle
const latest = new RedisLatestFeatures(queues.connection, config.redis.prefix, {
  flushMs: 1000,
  onError: (err) => logger.warn({ err }, 'latest features not written; the next write has them'),
});
// shutdown runs steps in reverse: this one before the queues close, so the worker stops first
// (its running job finishes) and the last features are written while Redis is still connected
shutdown.add('latest features', async () => {
  await queues.closeWorkers();
  await latest.flush();
});
const onCandle = createInferenceHandler({ store: latest, now: Date.now });
queues.worker({
  queue: Queues.candles,
  schema: candleSchema,
  handler: instrumentHandler(Queues.candles, metrics.queue, async (candle) => {
    const stop = metrics.inference.featureSeconds.startTimer();
    const features = await onCandle(candle).catch((err: unknown) => {
      // the first candle of that open time stands; this one goes to candles.dead with both
      if (err instanceof CandleConflictError) {
        throw new DeadLetterError('conflict', err.message, err.first);
      }
      throw err;
    });
    stop();
    // Inside the job's span: the line carries trace_id/span_id, which lead to the trace.
    logger.debug(
      { symbol: candle.symbol, openTime: candle.openTime, warm: features?.warm ?? null },
      'candle handled',
    );
    if (!features) return null;
    const jobId = featuresJobId(features);
    await tracePublish(Queues.features, () =>
      queues.publish(Queues.features, withTraceContext(features), jobId),
    );
    return jobId;
  }),
  onDeadLetter: (e) => metrics.queue.deadLettered.inc({ queue: e.queue, reason: e.reason }),
  onFatal: (e) => void shutdown.fatal(e),
});
logger.info({ queue: Queues.candles }, 'inference ready');
