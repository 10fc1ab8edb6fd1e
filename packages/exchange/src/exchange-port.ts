// The port types live in @3t/contracts (one home for handlers, exchange and test-support).
export {
  type Balances,
  type CandleRange,
  type ExchangePort,
  type MarketDataPort,
  type OrderRequest,
  type OrderSnapshot,
  type OrderStatus,
  orderRequestSchema,
  type ParsedOrderRequest,
  type Position,
  parseOrderRequest,
  type TradingPort,
} from '@3t/contracts';
