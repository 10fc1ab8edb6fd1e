export { CcxtExchange, type CcxtExchangeOptions } from './ccxt-exchange';
export { type ClientIdCodec, clientIdCodecFor } from './client-id-codec';
export { configureLeverage, type LeverageSettings, resolveLeverage } from './configure-leverage';
export {
  type CcxtClientConfig,
  ccxtClientConfig,
  createCcxtClient,
  createCcxtExchange,
} from './create-ccxt-exchange';
export { dec } from './decimal';
export { classifyError, scrub } from './exchange-port-error';
export {
  FUNDING_CSV_HEADER,
  type FundingSeries,
  fundingCsvName,
  parseFundingCsv,
  rateAt,
  readFundingCsv,
} from './funding-csv';
export { MemoryPaperBroker, type MemoryPaperBrokerOptions } from './memory-paper-broker';
export { PaperBroker, type PaperBrokerOptions } from './paper-broker';
export type { PaperFill, PaperOrder } from './paper-records';
export {
  buyReserve,
  type PaperCosts,
  type PaperFeeAsset,
  paperCosts,
  paperFillOf,
  type SettledFill,
  settleFill,
  slippedPrice,
} from './paper-rules';
export {
  CANDLE_CSV_HEADER,
  type CandleCsv,
  type CsvSource,
  csvSourceFromName,
  DROP_KINDS,
  DROP_REASONS,
  type DropKind,
  type DroppedRow,
  type DropReason,
  parseCandleCsv,
} from './parse-candle-csv';
export {
  DEFAULT_PERP_TERMS,
  fundingPayment,
  isLiquidationClientId,
  isPerpetual,
  liquidationClientId,
  liquidationPrice,
  type PerpPosition,
  type PerpTerms,
} from './perp-rules';
export { pointCcxtAt } from './point-ccxt-at';
export { type PlayOptions, ReplayFeed, type ReplayFile, type ReplayOptions } from './replay-feed';
export { CandleResampler, resampleCandles } from './resample-candles';
