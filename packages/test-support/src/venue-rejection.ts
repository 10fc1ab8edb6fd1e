/**
 * A refusal in Binance's own words: the HTTP status and the `{code, msg}` body the real venue
 * sends, so ccxt maps it to the same error class it would in production.
 */
export class VenueRejection extends Error {
  constructor(
    readonly code: number,
    readonly msg: string,
    readonly httpStatus = 400,
  ) {
    super(`${code} ${msg}`);
    this.name = 'VenueRejection';
  }
}

/** The Binance spot error bodies the fake sends (codes and texts as the venue documents them). */
export const binanceErrors = {
  invalidSymbol: () => new VenueRejection(-1121, 'Invalid symbol.'),
  invalidInterval: () => new VenueRejection(-1120, 'Invalid interval.'),
  badParameter: (name: string) =>
    new VenueRejection(-1130, `Data sent for parameter '${name}' is not valid.`),
  missingParameter: (name: string) =>
    new VenueRejection(
      -1102,
      `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`,
    ),
  illegalClientOrderId: () =>
    new VenueRejection(
      -1100,
      "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[a-zA-Z0-9-_]{1,36}$'.",
    ),
  invalidSide: () => new VenueRejection(-1117, 'Invalid side.'),
  invalidOrderType: () => new VenueRejection(-1116, 'Invalid orderType.'),
  invalidTimeInForce: () => new VenueRejection(-1115, 'Invalid timeInForce.'),
  filterFailure: (filter: 'LOT_SIZE' | 'PRICE_FILTER' | 'NOTIONAL' | 'MARKET_LOT_SIZE') =>
    new VenueRejection(-1013, `Filter failure: ${filter}`),
  duplicateOrder: () => new VenueRejection(-2010, 'Duplicate order sent.'),
  insufficientBalance: () =>
    new VenueRejection(-2010, 'Account has insufficient balance for requested action.'),
  wouldTake: () => new VenueRejection(-2010, 'Order would immediately match and take.'),
  marketClosed: () => new VenueRejection(-1013, 'Market is closed.'),
  orderDoesNotExist: () => new VenueRejection(-2013, 'Order does not exist.'),
  unknownOrder: () => new VenueRejection(-2011, 'Unknown order sent.'),
  timestampAhead: () =>
    new VenueRejection(-1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  outsideRecvWindow: () =>
    new VenueRejection(-1021, 'Timestamp for this request is outside of the recvWindow.'),
  apiKeyMissing: () => new VenueRejection(-2014, 'API-key format invalid.', 401),
  tooManyRequests: () =>
    new VenueRejection(
      -1003,
      'Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. Please use the websocket for live updates to avoid using the API.',
      429,
    ),
} as const;
