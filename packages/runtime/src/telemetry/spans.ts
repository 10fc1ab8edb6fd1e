import { type Attributes, SpanKind } from '@opentelemetry/api';
import { endSpan } from './span-errors';
import { isTracingActive, tracer } from './tracing-state';

export interface SpanSettings {
  kind?: SpanKind;
  attributes?: Attributes;
}

/** Runs `fn` in an active span `name` (a child of the current one); a plain call with tracing off. */
export async function withSpan<T>(
  name: string,
  settings: SpanSettings,
  fn: () => Promise<T> | T,
): Promise<T> {
  if (!isTracingActive()) return fn();
  return tracer().startActiveSpan(
    name,
    { kind: settings.kind ?? SpanKind.INTERNAL, attributes: settings.attributes ?? {} },
    (span) => endSpan(span, fn),
  );
}

/** A CLIENT span around one Redis command (semconv: `db.system.name=redis`), e.g. `traceRedis('SET', …)`. */
export function traceRedis<T>(command: string, fn: () => Promise<T>): Promise<T> {
  return withSpan(
    `redis ${command}`,
    {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system.name': 'redis', 'db.operation.name': command },
    },
    fn,
  );
}

/**
 * A CLIENT span around one MariaDB statement, named `<operation> <table>` as the database
 * semantic conventions ask (`INSERT order_intents`). No SQL text or values: they may hold secrets.
 */
export function traceSql<T>(operation: string, table: string, fn: () => Promise<T>): Promise<T> {
  return withSpan(
    `${operation} ${table}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system.name': 'mariadb',
        'db.operation.name': operation,
        'db.collection.name': table,
      },
    },
    fn,
  );
}

/** A CLIENT span around one exchange-port call (`exchange placeOrder`); a failure carries its error's class. */
export function traceExchange<T>(
  exchange: string,
  method: string,
  fn: () => Promise<T>,
): Promise<T> {
  return withSpan(
    `exchange ${method}`,
    {
      kind: SpanKind.CLIENT,
      attributes: { 'tt.exchange.id': exchange, 'tt.exchange.method': method },
    },
    fn,
  );
}
