import { type Tracer, trace } from '@opentelemetry/api';

/**
 * Whether this process started the OpenTelemetry SDK. Every helper checks it first, so with
 * tracing off a helper is one boolean test and a direct call: no span objects, no context copies.
 */
let active = false;

export function isTracingActive(): boolean {
  return active;
}

export function setTracingActive(on: boolean): void {
  active = on;
}

/** The tracer of every 3T span (instrumentation scope `@3t/runtime`). */
export function tracer(): Tracer {
  return trace.getTracer('@3t/runtime');
}
