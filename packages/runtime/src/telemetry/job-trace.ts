import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
} from '@opentelemetry/api';
import { endSpan } from './span-errors';
import { isTracingActive, tracer } from './tracing-state';

/** The `traceContext` field of every job (contracts' traceContextSchema): W3C header values. */
export interface JobTraceContext {
  traceparent: string;
  tracestate?: string;
}

/** The part of a BullMQ `Job` the consumer span reads. */
export interface TracedJob {
  readonly id?: string | undefined;
  readonly name: string;
  readonly data: unknown;
  readonly attemptsMade: number;
}

/** The active span as a job's `traceContext`, or undefined with tracing off or no span. */
export function currentTraceContext(): JobTraceContext | undefined {
  if (!isTracingActive()) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier, defaultTextMapSetter);
  const { traceparent, tracestate } = carrier;
  if (!traceparent) return undefined;
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

/**
 * `data` with `traceContext` set to the active span, so the consumer's span becomes its child.
 * With tracing off it returns `data` itself (no copy).
 */
export function withTraceContext<T extends object>(
  data: T,
): T & { traceContext?: JobTraceContext } {
  const traceContext = currentTraceContext();
  return traceContext ? { ...data, traceContext } : data;
}

function traceContextOf(data: unknown): JobTraceContext | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const tc = (data as { traceContext?: unknown }).traceContext;
  if (typeof tc !== 'object' || tc === null) return undefined;
  const { traceparent, tracestate } = tc as Record<string, unknown>;
  if (typeof traceparent !== 'string') return undefined;
  return typeof tracestate === 'string' ? { traceparent, tracestate } : { traceparent };
}

/**
 * Runs `fn` in a PRODUCER span `publish <queue>`; call `withTraceContext(data)` inside it so
 * the job points at this span.
 */
export async function tracePublish<T>(queue: string, fn: () => Promise<T>): Promise<T> {
  if (!isTracingActive()) return fn();
  return tracer().startActiveSpan(
    `publish ${queue}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'bullmq',
        'messaging.operation.type': 'send',
        'messaging.destination.name': queue,
      },
    },
    (span) => endSpan(span, fn),
  );
}

/**
 * Runs `fn` in a CONSUMER span `process <queue>` whose parent is the job's `traceContext`
 * (a job without one starts a new trace).
 */
export async function traceJob<T>(queue: string, job: TracedJob, fn: () => Promise<T>): Promise<T> {
  if (!isTracingActive()) return fn();
  const carrier = traceContextOf(job.data);
  const parent = carrier
    ? propagation.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter)
    : ROOT_CONTEXT;
  return tracer().startActiveSpan(
    `process ${queue}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'bullmq',
        'messaging.operation.type': 'process',
        'messaging.destination.name': queue,
        'messaging.message.id': job.id ?? '',
        'messaging.bullmq.job.name': job.name,
        'messaging.bullmq.attempt': job.attemptsMade + 1,
      },
    },
    parent,
    (span) => endSpan(span, fn),
  );
}
