export { readCandleCsv } from './candle-csv';
export { type FakeBinanceClientOptions, fakeBinanceClient } from './fake-binance-client';
export {
  FakeExchange,
  type FakeExchangeOptions,
  type FakeExchangeState,
  type RequestRecord,
  startFakeExchange,
  startFakeHyperliquid,
} from './fake-exchange';
export { fakeExchangeControl } from './fake-exchange-control';
export {
  FAKE_HYPERLIQUID_WALLET,
  type FakeHyperliquidClientOptions,
  fakeHyperliquidClient,
} from './fake-hyperliquid-client';
export {
  type AcceptedOrder,
  type FakeMarketSpec,
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
export {
  ENDPOINTS,
  type Endpoint,
  FAULT_KINDS,
  type FaultKind,
  FaultPlan,
  type FaultRule,
} from './fault-plan';
export { findBinary } from './find-binary';
export {
  clearinghouseState,
  type HyperliquidDialect,
  hyperliquidDialect,
  type SignedAction,
} from './hyperliquid-api';
export { type FakeCandle, PricePath } from './price-path';
export { PrivateMariadb, type PrivateMariadbOptions, startPrivateMariadb } from './private-mariadb';
export { PrivateRedis, type PrivateRedisOptions, startPrivateRedis } from './private-redis';
export { deleteRedisPrefix, uniqueRedisPrefix } from './redis-prefix';
export { mariadbAnswers, redisAnswers } from './server-probe';
export { sparePort } from './spare-port';
export { createTestDatabase, type TestDatabase, type TestDatabaseOptions } from './test-database';
export {
  DEFAULT_TEST_MARIADB_URL,
  DEFAULT_TEST_REDIS_URL,
  type FindTestServersOptions,
  findTestServers,
  installCommand,
  type ServerSource,
  type TestServers,
  testServers,
} from './test-servers';
export {
  DEFAULT_BEHAVIOUR,
  type VenueBehaviour,
  type VenueBehaviourPatch,
  venueBehaviourPatchSchema,
  venueBehaviourSchema,
} from './venue-behaviour';
export { binanceErrors, VenueRejection } from './venue-rejection';
export { waitUntil } from './wait-until';
