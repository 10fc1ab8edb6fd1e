import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dec } from '@3t/exchange';
import { z } from 'zod';
import { binanceDialect } from './binance-api';
import {
  type FakeOrder,
  type FakeTrade,
  FakeVenue,
  type FakeVenueOptions,
  type ForeignOrderSpec,
  type LeverageUpdate,
  type PerpPosition,
  type PlacementRecord,
  type SymbolLedger,
} from './fake-venue';
import {
  type Endpoint,
  type FaultKind,
  FaultPlan,
  type FaultRule,
  faultRuleSchema,
} from './fault-plan';
import { hyperliquidDialect, type SignedAction } from './hyperliquid-api';
import {
  type VenueBehaviour,
  type VenueBehaviourPatch,
  venueBehaviourPatchSchema,
} from './venue-behaviour';
import type { VenueDialect } from './venue-dialect';
import { VenueRejection } from './venue-rejection';

export interface FakeExchangeOptions extends FakeVenueOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** Seed of the random draws of probabilistic faults. */
  readonly seed?: number;
  /** How long a `timeout-after-accept` keeps the connection silent before cutting it (ms). */
  readonly holdMs?: number;
  /** Moves the price path one step every this many ms of wall time (off by default). */
  readonly advanceEveryMs?: number;
  /** The venue's API spoken over HTTP (default Binance spot). */
  readonly dialect?: VenueDialect;
}

export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly endpoint: Endpoint | 'control' | 'unknown';
  readonly status: number | 'timeout' | 'dropped';
}

/** Everything a test may assert on, as plain data (also served at `GET /__fake/state`). */
export interface FakeExchangeState {
  readonly clock: number;
  readonly balances: Record<string, { free: string; locked: string }>;
  readonly orders: readonly FakeOrder[];
  readonly trades: readonly FakeTrade[];
  readonly placements: readonly PlacementRecord[];
  readonly acceptedTwice: readonly string[];
  readonly faultsFired: readonly { kind: FaultKind; endpoint: Endpoint }[];
  readonly behaviour: VenueBehaviour;
  /** Scopes flagged halted with `setHalted`. */
  readonly halted: readonly string[];
  /** The venue's own record per unified symbol (see `FakeVenue#ledger`). */
  readonly ledger: Record<string, SymbolLedger>;
  /** Perpetual positions by unified symbol (flat ones left out). */
  readonly positions: Record<string, PerpPosition>;
  /** Every leverage / margin-mode change accepted (Hyperliquid `updateLeverage`). */
  readonly leverageUpdates: readonly LeverageUpdate[];
  /** Hyperliquid: every signed action received, signature as sent (empty for Binance). */
  readonly signedActions: readonly SignedAction[];
}

const AFTER_ACCEPT: ReadonlySet<FaultKind> = new Set(['timeout-after-accept', 'drop-after-accept']);

const controlClock = z
  .object({ to: z.number().int().optional(), advance: z.number().int().optional() })
  .strict();
const controlPrice = z.object({ symbol: z.string(), price: z.string().nullable() }).strict();
const controlBalance = z.object({ asset: z.string(), free: z.string() }).strict();
const controlHalt = z.object({ scope: z.string(), halted: z.boolean() }).strict();
const foreignOrder = z.strictObject({
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  quantity: z.string(),
  price: z.string(),
  clientOrderId: z.string().optional(),
});

/**
 * A local HTTP server that speaks enough of Binance's spot REST API for the real ccxt `binance`
 * class (pointed at it with {@link fakeBinanceClient}): markets, klines, tickers, balances,
 * orders by client id, open orders, trades. Faults are armed with {@link inject} here or with
 * `POST /__fake/faults` from another process; the venue's behaviours are switched with
 * {@link configure} or `POST /__fake/behaviour`.
 */
export class FakeExchange {
  readonly venue: FakeVenue;
  readonly faults: FaultPlan;
  readonly dialect: VenueDialect;
  readonly requests: RequestRecord[] = [];
  private readonly server: Server;
  private readonly held = new Set<Socket>();
  private readonly holdMs: number;
  private ticker: NodeJS.Timeout | undefined;
  private origin = '';

  private constructor(options: FakeExchangeOptions) {
    this.venue = new FakeVenue(options);
    this.faults = new FaultPlan(options.seed ?? 1);
    this.dialect = options.dialect ?? binanceDialect;
    this.holdMs = options.holdMs ?? 60_000;
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    if (options.advanceEveryMs !== undefined) {
      this.ticker = setInterval(() => this.venue.advance(), options.advanceEveryMs);
      this.ticker.unref();
    }
  }

  static async start(options: FakeExchangeOptions): Promise<FakeExchange> {
    const fake = new FakeExchange(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const { port } = fake.server.address() as AddressInfo;
    fake.origin = `http://127.0.0.1:${port}`;
    return fake;
  }

  /** `http://127.0.0.1:<port>`: the origin to put in place of the venue's API host. */
  get url(): string {
    return this.origin;
  }

  inject(rule: FaultRule): void {
    this.faults.inject(rule);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Switches venue behaviours (lookup lag, fees, fills in parts, drift…); see VenueBehaviour. */
  configure(patch: VenueBehaviourPatch): VenueBehaviour {
    return this.venue.configure(patch);
  }

  /** Pins a market's price (undefined: back to the price path); resting orders may fill at it. */
  setPrice(symbol: string, price: string | undefined): void {
    this.venue.setPrice(symbol, price);
  }

  /** Puts someone else's resting limit order on the account (no 3T prefix by default). */
  seedOrder(spec: ForeignOrderSpec): FakeOrder {
    return { ...this.venue.seedOrder(spec) };
  }

  /** Flags `all` or a unified symbol halted: later acceptances there are marked `whileHalted`. */
  setHalted(scope: string, halted: boolean): void {
    this.venue.setHalted(scope, halted);
  }

  ledger(): Record<string, SymbolLedger> {
    return this.venue.ledger();
  }

  /** How many requests reached an endpoint (faulted ones included). */
  requestCount(endpoint: Endpoint): number {
    return this.requests.filter((r) => r.endpoint === endpoint).length;
  }

  state(): FakeExchangeState {
    return {
      clock: this.venue.clock,
      balances: Object.fromEntries([...this.venue.balances].map(([a, b]) => [a, { ...b }])),
      orders: this.venue.orders.map((o) => ({ ...o })),
      trades: [...this.venue.trades],
      placements: [...this.venue.placements],
      acceptedTwice: this.venue.acceptedTwice(),
      faultsFired: [...this.faults.fired],
      behaviour: this.venue.behaviour,
      halted: this.venue.haltedScopes(),
      ledger: this.venue.ledger(),
      positions: Object.fromEntries(
        [...this.venue.positions]
          .filter(([, p]) => !dec.eq(p.size, '0'))
          .map(([id, p]) => [this.venue.market(id).symbol, { ...p }]),
      ),
      leverageUpdates: [...this.venue.leverageUpdates],
      signedActions:
        'signedActions' in this.dialect ? [...(this.dialect.signedActions as SignedAction[])] : [],
    };
  }

  async close(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    for (const socket of this.held) socket.destroy();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    if (url.pathname.startsWith('/__fake/')) {
      this.control(method, url.pathname, body, res);
      return;
    }
    const route = this.dialect.route(method, url.pathname, url.searchParams, body, req.headers);
    const log = (endpoint: RequestRecord['endpoint'], status: RequestRecord['status']) =>
      this.requests.push({ method, path: url.pathname, endpoint, status });
    if (!route) {
      log('unknown', 404);
      sendText(res, 404, `fake exchange does not implement ${method} ${url.pathname}`);
      return;
    }
    // the venue's time when the request arrived, before any injected latency
    const receivedAt = this.venue.serverTime();
    const faults = this.faults.draw(route.endpoint);
    const delay = faults.reduce((ms, f) => ms + (f.kind === 'latency' ? (f.ms ?? 0) : 0), 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const has = (kind: FaultKind) => faults.find((f) => f.kind === kind);
    const respond = (status: number, json: unknown) => {
      log(route.endpoint, status);
      sendJson(res, status, json);
    };
    try {
      route.check(this.venue, receivedAt);
      if (has('rate-limit')) {
        res.setHeader('Retry-After', '1');
        throw this.dialect.faults.rateLimit();
      }
      const early = has('server-error');
      const refusal: [FaultKind, VenueRejection] | undefined = has('insufficient-balance')
        ? ['insufficient-balance', this.dialect.faults.insufficientBalance()]
        : has('invalid-order')
          ? ['invalid-order', this.dialect.faults.invalidOrder()]
          : early && !early.afterAccept
            ? ['server-error', new VenueRejection(early.status ?? 503, 'Service Unavailable')]
            : undefined;
      if (refusal) {
        const [kind, error] = refusal;
        if (route.placement) this.venue.recordRefusal(route.placement, error, kind);
        if (kind !== 'server-error') throw error;
        log(route.endpoint, error.code);
        sendText(res, error.code, gatewayPage(error.code));
        return;
      }
      const placed = this.venue.placements.length;
      const partial = has('partial-fill');
      const result = route.handle(this.venue, {
        partialFill: partial ? (partial.fraction ?? 0.5) : undefined,
      });
      const after = faults.find((f) => AFTER_ACCEPT.has(f.kind) || f.afterAccept === true);
      if (partial && !after && this.venue.placements.length > placed) {
        this.venue.annotateLast('partial-fill');
      }
      if (after && this.venue.placements.length > placed) this.venue.annotateLast(after.kind);
      if (after?.kind === 'timeout-after-accept') {
        log(route.endpoint, 'timeout');
        this.hold(req.socket);
        return;
      }
      if (after?.kind === 'drop-after-accept') {
        log(route.endpoint, 'dropped');
        req.socket.destroy();
        return;
      }
      if (early) {
        log(route.endpoint, early.status ?? 503);
        sendText(res, early.status ?? 503, gatewayPage(early.status ?? 503));
        return;
      }
      respond(200, result);
    } catch (err) {
      if (err instanceof VenueRejection) {
        if (route.placement && this.dialect.isRateLimit(err)) {
          this.venue.recordRefusal(route.placement, err, 'rate-limit');
        }
        const reply = this.dialect.reply(err);
        respond(reply.status, reply.json);
      } else {
        respond(500, { code: -1000, msg: `fake exchange bug: ${String(err)}` });
      }
    }
  }

  /** Keeps the connection open and silent, as a venue that accepted but never answered. */
  private hold(socket: Socket): void {
    this.held.add(socket);
    const timer = setTimeout(() => socket.destroy(), this.holdMs);
    timer.unref();
    socket.once('close', () => {
      clearTimeout(timer);
      this.held.delete(socket);
    });
  }

  private control(method: string, path: string, body: string, res: ServerResponse): void {
    this.requests.push({ method, path, endpoint: 'control', status: 200 });
    try {
      const json = body === '' ? {} : (JSON.parse(body) as unknown);
      const result = this.controlResult(`${method} ${path}`, json);
      if (result === undefined)
        sendJson(res, 404, { error: `no control endpoint ${method} ${path}` });
      else sendJson(res, 200, result);
    } catch (err) {
      sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) });
    }
  }

  private controlResult(key: string, json: unknown): unknown {
    switch (key) {
      case 'GET /__fake/state':
        return this.state();
      case 'POST /__fake/faults': {
        const rules = z.array(faultRuleSchema).parse(Array.isArray(json) ? json : [json]);
        for (const r of rules) this.inject(r);
        return { armed: this.faults.pending() };
      }
      case 'DELETE /__fake/faults':
        this.clearFaults();
        return { armed: [] };
      case 'POST /__fake/clock': {
        const c = controlClock.parse(json);
        if (c.to !== undefined) this.venue.setClock(c.to);
        if (c.advance !== undefined) this.venue.advance(c.advance);
        return { clock: this.venue.clock };
      }
      case 'POST /__fake/price': {
        const c = controlPrice.parse(json);
        this.venue.setPrice(c.symbol, c.price ?? undefined);
        return c;
      }
      case 'POST /__fake/balance': {
        const c = controlBalance.parse(json);
        this.venue.setBalance(c.asset, c.free);
        return c;
      }
      case 'GET /__fake/behaviour':
        return this.venue.behaviour;
      case 'POST /__fake/behaviour':
        return this.configure(venueBehaviourPatchSchema.parse(json));
      case 'POST /__fake/orders': {
        const specs = z.array(foreignOrder).parse(Array.isArray(json) ? json : [json]);
        return specs.map((spec) => this.seedOrder(spec));
      }
      case 'POST /__fake/halts': {
        const c = controlHalt.parse(json);
        this.setHalted(c.scope, c.halted);
        return { halted: this.venue.haltedScopes() };
      }
      case 'GET /__fake/ledger':
        return this.ledger();
      default:
        return undefined;
    }
  }
}

/**
 * Starts a fake Hyperliquid perpetuals venue on 127.0.0.1 for ccxt's `hyperliquid` class: markets
 * like `BTC/USDC:USDC`, USDC as margin, Hyperliquid's fees (taker 0.045 %, maker 0.015 %) and a
 * cloid that is never accepted twice, unless the options say otherwise.
 */
export function startFakeHyperliquid(options: FakeExchangeOptions): Promise<FakeExchange> {
  return FakeExchange.start({
    feeRate: '0.00045',
    makerFeeRate: '0.00015',
    duplicateClientOrderIds: 'always',
    ...options,
    dialect: options.dialect ?? hyperliquidDialect(options.now),
  });
}

/** Starts a fake Binance spot venue on 127.0.0.1 (a free port unless `port` is given). */
export function startFakeExchange(options: FakeExchangeOptions): Promise<FakeExchange> {
  return FakeExchange.start(options);
}

function gatewayPage(status: number): string {
  return `<html><head><title>${status}</title></head><body><h1>${status} Service Unavailable</h1></body></html>`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      data += chunk;
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, json: unknown): void {
  const text = JSON.stringify(json);
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/html' });
  res.end(text);
}
