import type { IncomingHttpHeaders } from 'node:http';
import type { FakeVenue, NewOrderRequest } from './fake-venue';
import type { Endpoint } from './fault-plan';
import type { VenueRejection } from './venue-rejection';

/** Faults that change what the venue does rather than what the client hears. */
export interface RouteFaults {
  readonly partialFill?: number | undefined;
}

/** One request as a venue's API reads it. */
export interface DialectRequest {
  /** The endpoint name faults and request counts use. */
  readonly endpoint: Endpoint;
  /**
   * Checks made before anything is carried out (credentials, signature fields, timing); throws a
   * VenueRejection. `receivedAt` is the venue's time on arrival, before any injected latency.
   */
  check(venue: FakeVenue, receivedAt: number): void;
  /** Carries the request out on the venue; throws a VenueRejection when the venue refuses. */
  handle(venue: FakeVenue, faults: RouteFaults): unknown;
  /** Set for a new order: what the venue records when an injected fault refuses it. */
  readonly placement?: NewOrderRequest | undefined;
}

/**
 * How one venue's REST API speaks (Binance spot, Hyperliquid): its routes, and its words for a
 * refusal. The fake exchange's HTTP server, fault plan and control endpoints are shared.
 */
export interface VenueDialect {
  readonly name: string;
  /** The request, or undefined when the fake does not serve it (HTTP 404). */
  route(
    method: string,
    path: string,
    query: URLSearchParams,
    body: string,
    headers: IncomingHttpHeaders,
  ): DialectRequest | undefined;
  /** The refusals the fault plan injects, in this venue's words. */
  readonly faults: {
    rateLimit(): VenueRejection;
    insufficientBalance(): VenueRejection;
    invalidOrder(): VenueRejection;
  };
  /** The HTTP answer to a refusal. */
  reply(err: VenueRejection): { status: number; json: unknown };
  /** Whether a refusal is the rate limit (recorded as such for a placement). */
  isRateLimit(err: VenueRejection): boolean;
}
