import { z } from 'zod';

/** Every job schema carries `v`; a new field or meaning means a new version, never a silent change. */
export const SCHEMA_VERSION = 1 as const;
export const schemaVersion = z
  .literal(SCHEMA_VERSION)
  .describe('schema version of the job payload');

/**
 * W3C trace context (https://www.w3.org/TR/trace-context/) carried in job data so one trace spans
 * candle → features → target → order → fill. Optional: a job without it starts a new trace.
 */
export const traceContextSchema = z
  .strictObject({
    traceparent: z
      .string()
      .regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/, 'W3C traceparent')
      .describe('W3C traceparent header value'),
    tracestate: z.string().max(512).optional().describe('W3C tracestate header value'),
  })
  .describe('W3C trace context of the producer');
export type TraceContext = z.infer<typeof traceContextSchema>;

/** Milliseconds since the Unix epoch (UTC), an integer ≥ 0. */
export const epochMs = z.number().int().nonnegative();

/** A ccxt exchange id such as `binance` or `hyperliquid`, or `paper`/`replay` sources. */
export const exchangeId = z.string().regex(/^[a-z0-9_]{1,40}$/, 'lower-case ccxt exchange id');

/** A ccxt unified symbol such as `BTC/USDT` or `BTC/USDC:USDC`. */
export const marketSymbol = z
  .string()
  .min(3)
  .max(64)
  .regex(/^[A-Za-z0-9._\-/:]+$/, 'ccxt unified symbol like BTC/USDT');

/** A ccxt timeframe such as `1m`, `5m`, `1h`, `1d`. */
export const timeframe = z.string().regex(/^[1-9][0-9]*[smhdwMy]$/, 'ccxt timeframe like 1m or 4h');

/** Finite price: > 0 (zod 4 numbers already reject NaN and ±Infinity). */
export const price = z.number().positive();
/** Finite non-negative amount (volume, fee, balance part). */
export const nonNegative = z.number().nonnegative();
/** Finite strictly positive quantity. */
export const quantity = z.number().positive();

export const side = z.enum(['buy', 'sell']);
export type Side = z.infer<typeof side>;

/** Fields every job shares: the schema version and the optional trace context. */
export const jobBase = {
  v: schemaVersion,
  traceContext: traceContextSchema.optional(),
};
