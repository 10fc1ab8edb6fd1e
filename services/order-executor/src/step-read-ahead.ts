import type { Fill, Target } from '@3t/contracts';
import type { PaperBroker } from '@3t/exchange';
import type {
  Broker,
  IntentRecord,
  IntentStore,
  PaperPriceFeed,
  PositionStore,
} from '@3t/handlers';

/** IntentStore calls that change intents or what a step reads of them. */
const INTENT_WRITES = [
  'insertIntent',
  'claimIntent',
  'releaseClaim',
  'transition',
  'recordOrder',
  'setHalt',
] as const satisfies readonly (keyof IntentStore)[];

/** An intent store that reads the open intents and positions with the lock (MariaDbIntentStore). */
export interface LockReadingStore {
  /** true when the reads go in the query that takes the lock */
  readonly readsWithLock: boolean;
  withSymbolLockReading<T>(
    symbol: string,
    exchange: string,
    work: (reads: {
      open: IntentRecord[];
      positions: Awaited<ReturnType<PositionStore['positions']>>;
      extra: VenueState[] | null;
    }) => Promise<T>,
    extra?: { sql: string; values: unknown[] },
  ): Promise<T>;
}

/** A row of the paper venue's price state (PaperBroker.priceState). */
type VenueState = Parameters<PaperBroker['applyPriceRead']>[3] & object;

/**
 * The paper venue's price input that also answers the price it left (PaperBroker.applyPriceRead),
 * and may name the statement it would read first (`priceState`), to be sent with the lock.
 */
export interface PaperPriceReadFeed extends PaperPriceFeed {
  applyPriceRead(
    symbol: string,
    price: number,
    at: number,
    state?: VenueState,
  ): Promise<{ fills: Fill[]; price: number }>;
  priceState?(symbol: string): { sql: string; values: unknown[] } | null;
}

export interface StepPorts<B extends Broker> {
  readonly intents: IntentStore;
  readonly positions: PositionStore;
  readonly broker: B;
  readonly paper: PaperPriceFeed | PaperPriceReadFeed | null;
}

/** `p`, with a rejection nobody awaited not reported as unhandled (whoever awaits it still sees it). */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/**
 * The ports of one target step, with MariaDB reads the step makes one after another started
 * side by side instead, so the step waits for fewer round trips in a row:
 * - the open intents, asked as soon as the step holds the symbol's lock (beside the paper price;
 *   with a store that has `withSymbolLockReading`, in the very query that takes the lock):
 *   no other step of the symbol can add one meanwhile (the lock), so the symbol's open intents
 *   can only have ended since, and an ended one is refused by the claim (a compare-and-set on
 *   its status), which makes the step skip, never place; any intent write of the step drops it;
 * - the positions of the target's exchange, asked at the same moment; a fill this step records
 *   or a position it sets drops the early answer, and the step reads again;
 * - on the paper venue, the symbol's price, asked as soon as the step's own price is applied
 *   (nothing else of the step changes it, and no other step of the symbol runs: the lock); a
 *   venue with `applyPriceRead` answers it from the statement that applied the price.
 * Each early answer is used once, by the step's first read of it; later reads go to MariaDB. No
 * venue call is made early (a ccxt price costs a request and counts against the rate limit), and
 * nothing is kept beyond the step. Halts and claims are not touched: they are read when the step
 * reads them (docs/reliability.md).
 */
export function readAhead<B extends Broker>(
  ports: StepPorts<B>,
  target: Pick<Target, 'exchange' | 'symbol'>,
): StepPorts<B> {
  let positions: Promise<Map<string, unknown>> | null = null;
  let price: Promise<number> | null = null;
  let open: Promise<IntentRecord[]> | null = null;
  /** the paper venue's price state read with the lock, for the step's first price (once) */
  let venueState: VenueState | undefined;
  const feed = ports.paper;
  const stateQuery =
    feed && 'priceState' in feed && feed.priceState ? feed.priceState(target.symbol) : null;

  const intents = Object.create(ports.intents) as IntentStore;
  const reading = ports.intents as IntentStore & Partial<LockReadingStore>;
  intents.withSymbolLock = (symbol, work) => {
    if (
      symbol === target.symbol &&
      reading.readsWithLock === true &&
      reading.withSymbolLockReading
    ) {
      // the two reads (and the paper venue's price state) ride on the query that takes the lock
      return reading.withSymbolLockReading(
        symbol,
        target.exchange,
        (reads) => {
          positions = Promise.resolve(reads.positions);
          open = Promise.resolve(reads.open);
          venueState = reads.extra?.[0];
          return work();
        },
        stateQuery ?? undefined,
      );
    }
    return ports.intents.withSymbolLock(symbol, () => {
      if (symbol === target.symbol) {
        positions = quiet(ports.positions.positions(target.exchange));
        open = quiet(ports.intents.openIntents());
      }
      return work();
    });
  };
  intents.openIntents = () => {
    const early = open;
    open = null;
    return early ?? ports.intents.openIntents();
  };
  // any intent write of the step drops the early list (the step reads it again)
  for (const write of INTENT_WRITES) {
    const fn = ports.intents[write] as (...args: unknown[]) => Promise<unknown>;
    (intents as unknown as Record<string, unknown>)[write] = async (...args: unknown[]) => {
      open = null;
      try {
        return await fn.apply(ports.intents, args);
      } finally {
        open = null;
      }
    };
  }

  const store = Object.create(ports.positions) as PositionStore;
  store.positions = async (exchange) => {
    const early = exchange === target.exchange ? positions : null;
    positions = null;
    return early
      ? ((await early) as Awaited<ReturnType<PositionStore['positions']>>)
      : ports.positions.positions(exchange);
  };
  store.recordFill = async (fill) => {
    positions = null; // our own write: the early answer may miss it
    try {
      return await ports.positions.recordFill(fill);
    } finally {
      positions = null;
    }
  };
  store.setPositionQuantity = async (exchange, symbol, quantity) => {
    positions = null;
    try {
      return await ports.positions.setPositionQuantity(exchange, symbol, quantity);
    } finally {
      positions = null;
    }
  };

  const broker = Object.create(ports.broker) as B;
  // an order placed or cancelled changes what the venue state said: it is not used after one
  for (const change of ['placeOrder', 'cancelOrder'] as const) {
    const fn = ports.broker[change] as (...args: unknown[]) => Promise<unknown>;
    (broker as unknown as Record<string, unknown>)[change] = (...args: unknown[]) => {
      venueState = undefined;
      return fn.apply(ports.broker, args);
    };
  }
  broker.fetchPrice = (symbol) => {
    const early = symbol === target.symbol ? price : null;
    price = null;
    return early ?? ports.broker.fetchPrice(symbol);
  };

  const paper: PaperPriceFeed | null = feed && {
    applyPrice: async (symbol, p, at) => {
      price = null;
      const state = symbol === target.symbol ? venueState : undefined;
      venueState = undefined;
      if ('applyPriceRead' in feed) {
        const read = await feed.applyPriceRead(symbol, p, at, state);
        if (symbol === target.symbol) price = Promise.resolve(read.price);
        return read.fills;
      }
      const fills = await feed.applyPrice(symbol, p, at);
      if (symbol === target.symbol) price = quiet(ports.broker.fetchPrice(symbol));
      return fills;
    },
  };

  return { intents, positions: store, broker, paper };
}
