import { type Span, SpanStatusCode } from '@opentelemetry/api';

/** Class name of a thrown value (`InsufficientFunds`, `Error`, `string`). */
export function errorClass(err: unknown): string {
  if (err instanceof Error)
    return err.constructor.name === 'Error' ? err.name : err.constructor.name;
  return typeof err;
}

/**
 * Marks `span` failed with the error's class only: messages of exchange and driver errors can
 * echo signed URLs or payloads, and secrets never go into traces. The message is in the logs.
 */
export function recordSpanError(span: Span, err: unknown): void {
  const type = errorClass(err);
  span.setAttribute('error.type', type);
  span.addEvent('exception', { 'exception.type': type });
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

/** Awaits `fn`, records a failure on `span`, and always ends it. */
export async function endSpan<T>(span: Span, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    recordSpanError(span, err);
    throw err;
  } finally {
    span.end();
  }
}
