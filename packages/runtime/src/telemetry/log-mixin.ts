import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { isTracingActive } from './tracing-state';

/**
 * A pino `mixin`: adds `trace_id` and `span_id` of the active span to every log line, so a line
 * leads to its trace in Jaeger. Returns a fresh object each call (pino merges into it).
 */
export function logMixin(): { trace_id?: string; span_id?: string } {
  if (!isTracingActive()) return {};
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const sc = span.spanContext();
  return isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : {};
}
