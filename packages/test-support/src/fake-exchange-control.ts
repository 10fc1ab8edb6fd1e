import type { FakeExchangeState } from './fake-exchange';
import type { FakeOrder, ForeignOrderSpec, SymbolLedger } from './fake-venue';
import type { FaultRule } from './fault-plan';
import type { VenueBehaviour, VenueBehaviourPatch } from './venue-behaviour';

/**
 * Drives a fake exchange that runs in another process (see `fake-exchange-main.ts`) through its
 * `/__fake/*` control endpoints: the same levers as the in-process {@link FakeExchange} object.
 */
export function fakeExchangeControl(origin: string) {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${origin}/__fake/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as T & { error?: string };
    if (!res.ok)
      throw new Error(`fake exchange ${method} /__fake/${path}: ${json.error ?? res.status}`);
    return json;
  };
  return {
    state: () => call<FakeExchangeState>('GET', 'state'),
    inject: (rules: FaultRule | FaultRule[]) => call('POST', 'faults', rules),
    clearFaults: () => call('DELETE', 'faults'),
    setClock: (to: number) => call<{ clock: number }>('POST', 'clock', { to }),
    advance: (steps = 1) => call<{ clock: number }>('POST', 'clock', { advance: steps }),
    setPrice: (symbol: string, price: string | null) => call('POST', 'price', { symbol, price }),
    setBalance: (asset: string, free: string) => call('POST', 'balance', { asset, free }),
    behaviour: () => call<VenueBehaviour>('GET', 'behaviour'),
    /** Switches behaviours (lookup lag, fees, fills in parts, drift…); returns them all. */
    configure: (patch: VenueBehaviourPatch) => call<VenueBehaviour>('POST', 'behaviour', patch),
    seedOrders: (specs: ForeignOrderSpec | ForeignOrderSpec[]) =>
      call<FakeOrder[]>('POST', 'orders', specs),
    /** Flags `all` or a unified symbol halted; acceptances under the flag are marked. */
    setHalted: (scope: string, halted: boolean) =>
      call<{ halted: string[] }>('POST', 'halts', { scope, halted }),
    ledger: () => call<Record<string, SymbolLedger>>('GET', 'ledger'),
  };
}
