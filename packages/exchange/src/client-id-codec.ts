import { CLIENT_ORDER_ID_PREFIX, isOwnClientOrderId } from '@3t/contracts';

/** How our client order ids are spelled at one venue, both ways. */
export interface ClientIdCodec {
  encode(clientOrderId: string): string;
  decode(venueId: string): string;
}

const identity: ClientIdCodec = { encode: (id) => id, decode: (id) => id };

/**
 * Hyperliquid wants a 128-bit hex cloid (`0x` + 32 hex digits): our ids are `3t` + 32 hex digits
 * (clientOrderId() of @3t/contracts), so the prefix is swapped both ways. A cloid whose digits do
 * not carry 3T's check is someone else's and keeps its venue spelling, so it is never taken for
 * ours (isOwnClientOrderId).
 */
const hexCloid: ClientIdCodec = {
  encode: (id) => {
    if (!new RegExp(`^${CLIENT_ORDER_ID_PREFIX}[0-9a-f]{32}$`).test(id)) {
      throw new RangeError(
        `client order id '${id}' cannot be a Hyperliquid cloid (needs 3t + 32 hex)`,
      );
    }
    return `0x${id.slice(CLIENT_ORDER_ID_PREFIX.length)}`;
  },
  decode: (id) => {
    const ours = `${CLIENT_ORDER_ID_PREFIX}${id.slice(2)}`;
    return /^0x[0-9a-f]{32}$/.test(id) && isOwnClientOrderId(ours) ? ours : id;
  },
};

export function clientIdCodecFor(exchangeId: string): ClientIdCodec {
  return exchangeId === 'hyperliquid' ? hexCloid : identity;
}
