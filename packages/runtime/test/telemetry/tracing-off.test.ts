import { context, createContextKey, propagation, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import {
  currentTraceContext,
  isTracingActive,
  logMixin,
  otlpTracesUrl,
  startTracing,
  traceExchange,
  traceJob,
  tracePublish,
  traceRedis,
  traceSql,
  withSpan,
  withTraceContext,
} from '../../src/telemetry';

// Where @opentelemetry/api keeps the globals an SDK registers (tracer provider, context manager,
// propagator); absent as long as nothing was started in this process.
const OTEL_GLOBAL = Symbol.for('opentelemetry.js.api.1');

describe('startTracing with endpoint null (tracing off)', () => {
  it('starts nothing: no OTel globals, no timers or sockets, non-recording spans', async () => {
    const resourcesBefore = process.getActiveResourcesInfo().sort();
    const tracing = await startTracing({ serviceName: 'off', endpoint: null, sampleRatio: 1 });
    expect(tracing.enabled).toBe(false);
    expect(isTracingActive()).toBe(false);
    expect((globalThis as Record<symbol, unknown>)[OTEL_GLOBAL], 'OTel globals').toBeUndefined();
    expect(process.getActiveResourcesInfo().sort(), 'active handles').toEqual(resourcesBefore);

    const span = trace.getTracer('t').startSpan('s');
    expect(span.isRecording()).toBe(false);
    expect(propagation.fields(), 'no propagator registered').toEqual([]);
    const key = createContextKey('k');
    expect(
      context.with(context.active().setValue(key, 1), () => context.active().getValue(key)),
    ).toBeUndefined();
    await tracing.flush();
    await tracing.shutdown();
  });

  it('makes every helper a plain call: same data object, no trace fields in logs', async () => {
    const data = { v: 1, symbol: 'BTC/USDT' };
    expect(withTraceContext(data), 'job data is returned as is, not copied').toBe(data);
    expect(currentTraceContext()).toBeUndefined();
    expect(logMixin()).toEqual({});
    const job = {
      id: 'j',
      name: 'n',
      data: { traceContext: { traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01` } },
      attemptsMade: 0,
    };
    const got = await traceJob('candles', job, () =>
      tracePublish('features', () =>
        withSpan('x', {}, () =>
          traceRedis('GET', () =>
            traceSql('SELECT', 'runs', () =>
              traceExchange('binance', 'fetchOHLCV', async () => 42),
            ),
          ),
        ),
      ),
    );
    expect(got).toBe(42);
    await expect(
      traceJob('candles', job, async () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    expect((globalThis as Record<symbol, unknown>)[OTEL_GLOBAL]).toBeUndefined();
  });

  it('rejects a bad endpoint or sampling ratio naming the config key', async () => {
    await expect(
      startTracing({ serviceName: 's', endpoint: 'localhost:4318', sampleRatio: 1 }),
    ).rejects.toThrow(/telemetry\.otlp_endpoint 'localhost:4318' is not an http\(s\) URL/);
    await expect(
      startTracing({ serviceName: 's', endpoint: 'http://127.0.0.1:4318', sampleRatio: 1.5 }),
    ).rejects.toThrow(/telemetry\.sampling_ratio 1\.5 is outside 0\.\.1/);
    expect(isTracingActive()).toBe(false);
  });

  it('resolves a base endpoint to /v1/traces and keeps a full traces URL', () => {
    expect(otlpTracesUrl('http://jaeger:4318')).toBe('http://jaeger:4318/v1/traces');
    expect(otlpTracesUrl('http://127.0.0.1:4318/')).toBe('http://127.0.0.1:4318/v1/traces');
    expect(otlpTracesUrl('https://collector.local/otlp/v1/traces')).toBe(
      'https://collector.local/otlp/v1/traces',
    );
  });
});
