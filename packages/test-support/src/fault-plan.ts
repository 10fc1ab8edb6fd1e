import { SeededRandom } from '@3t/trend-core';
import { z } from 'zod';

/**
 * The REST endpoints the fake serves, by name (faults and request counts use them): Binance's,
 * and Hyperliquid's requests filed under the same names (`order` → newOrder, `orderStatus` →
 * queryOrder, `clearinghouseState` → account…) plus its own `updateLeverage` and `fundingHistory`.
 */
export const ENDPOINTS = [
  'ping',
  'time',
  'exchangeInfo',
  'klines',
  'ticker',
  'account',
  'newOrder',
  'queryOrder',
  'cancelOrder',
  'openOrders',
  'cancelOpenOrders',
  'allOrders',
  'myTrades',
  'updateLeverage',
  'fundingHistory',
  'fundingRate',
  'income',
  'marginType',
  'leverage',
] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

/**
 * What can go wrong, on demand:
 * - `latency`: wait `ms` before handling (stacks with the others).
 * - `server-error`: HTTP `status` (default 503) with a gateway's plain-text body; with
 *   `afterAccept` the request is carried out first (Binance: "execution status UNKNOWN").
 * - `rate-limit`: HTTP 429 with Binance's -1003 body and a Retry-After header.
 * - `timeout-after-accept`: carried out, then no answer until the client gives up.
 * - `drop-after-accept`: carried out, then the connection is cut without an answer.
 * - `insufficient-balance` / `invalid-order`: the venue's refusal without touching the book.
 * - `partial-fill`: a crossing new order fills only `fraction` (default 0.5) of its quantity; a
 *   market order then expires with the rest (as on a thin Binance book), a limit order rests.
 */
export const FAULT_KINDS = [
  'latency',
  'server-error',
  'rate-limit',
  'timeout-after-accept',
  'drop-after-accept',
  'insufficient-balance',
  'invalid-order',
  'partial-fill',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const faultRuleSchema = z
  .object({
    kind: z.enum(FAULT_KINDS),
    /** Which endpoint; default `newOrder` for the order faults, every endpoint otherwise. */
    endpoint: z.union([z.enum(ENDPOINTS), z.literal('*')]).optional(),
    /** How many requests it hits before it is spent (default 1; `null` = never spent). */
    times: z.number().int().positive().nullable().optional(),
    /** Chance that a matching request is hit (default 1), drawn from the plan's seed. */
    probability: z.number().min(0).max(1).optional(),
    /** Delay for `latency` in ms. */
    ms: z.number().int().nonnegative().optional(),
    /** HTTP status for `server-error`. */
    status: z.number().int().min(500).max(599).optional(),
    afterAccept: z.boolean().optional(),
    /** Part of the quantity a `partial-fill` fills. */
    fraction: z.number().gt(0).lt(1).optional(),
  })
  .strict();
export type FaultRule = z.input<typeof faultRuleSchema>;

interface ActiveRule {
  readonly rule: z.output<typeof faultRuleSchema>;
  readonly endpoint: Endpoint | '*';
  remaining: number;
  hits: number;
}

const ORDER_FAULTS: ReadonlySet<FaultKind> = new Set([
  'insufficient-balance',
  'invalid-order',
  'timeout-after-accept',
  'drop-after-accept',
  'partial-fill',
]);

/** The faults armed on a fake exchange; each request asks which of them hit it. */
export class FaultPlan {
  private rules: ActiveRule[] = [];
  private random: SeededRandom;
  /** Every fault that hit, in order: what a test can count. */
  readonly fired: { kind: FaultKind; endpoint: Endpoint }[] = [];

  constructor(seed = 1) {
    this.random = SeededRandom.fromSeed(seed);
  }

  inject(rule: FaultRule): void {
    const parsed = faultRuleSchema.parse(rule);
    const endpoint = parsed.endpoint ?? (ORDER_FAULTS.has(parsed.kind) ? 'newOrder' : '*');
    const remaining = parsed.times === null ? Number.POSITIVE_INFINITY : (parsed.times ?? 1);
    this.rules.push({ rule: parsed, endpoint, remaining, hits: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  /** Faults that hit this request; spends them. */
  draw(endpoint: Endpoint): z.output<typeof faultRuleSchema>[] {
    const hit: z.output<typeof faultRuleSchema>[] = [];
    for (const r of this.rules) {
      if (r.remaining <= 0) continue;
      if (r.endpoint !== '*' && r.endpoint !== endpoint) continue;
      if (r.rule.probability !== undefined && this.random.float() >= r.rule.probability) continue;
      r.remaining--;
      r.hits++;
      hit.push(r.rule);
      this.fired.push({ kind: r.rule.kind, endpoint });
    }
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return hit;
  }

  /** Armed rules and how often each has hit. */
  pending(): { rule: FaultRule; remaining: number | null; hits: number }[] {
    return this.rules.map((r) => ({
      rule: r.rule,
      remaining: Number.isFinite(r.remaining) ? r.remaining : null,
      hits: r.hits,
    }));
  }
}
