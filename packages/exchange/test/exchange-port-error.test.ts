import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { classifyError } from '../src/exchange-port-error';

// ccxt files the venues' post-only refusals under InvalidOrder; 3T tells them apart by the text,
// because a would-cross refusal is re-priced (sizing.order_type: alo) and any other is final.
describe('classifyError: post-only refusals', () => {
  it.each([
    [
      'binance spot -2010',
      'binance {"code":-2010,"msg":"Order would immediately match and take."}',
    ],
    [
      'binance futures -5022 (GTX)',
      'binanceusdm {"code":-5022,"msg":"Due to the order could not be executed as maker, the Post Only order will be rejected. The order will not be recorded in the order history"}',
    ],
    [
      'hyperliquid Alo',
      'hyperliquid {"status":"ok","response":{"type":"order","data":{"statuses":[{"error":"Post only order would have immediately matched, bbo was 99.5@100.5. asset=0"}]}}}',
    ],
  ])('%s is would-cross, its own category', (_venue, text) => {
    const e = classifyError(new ccxt.InvalidOrder(text), 'placeOrder BTC/USDT 3tabc');
    expect([e.kind, e.category, e.retryable]).toEqual(['would-cross', 'would-cross', false]);
    expect(e.message).toContain('placeOrder BTC/USDT 3tabc');
  });

  it('any other InvalidOrder stays invalid-order (rejected)', () => {
    const e = classifyError(new ccxt.InvalidOrder('binance Filter failure: LOT_SIZE'), 'x');
    expect([e.kind, e.category]).toEqual(['invalid-order', 'rejected']);
  });
});
