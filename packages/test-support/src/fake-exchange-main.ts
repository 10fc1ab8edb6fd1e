/**
 * A fake Binance spot exchange (or, with `--venue hyperliquid`, a fake Hyperliquid with markets
 * such as `--candles BTC/USDC:USDC=file.csv`) as a process, for tests that run services as child
 * processes:
 *
 *   node --import tsx packages/test-support/src/fake-exchange-main.ts [--venue binance|hyperliquid] \
 *     --candles data/ohlcv/binanceus_BTC-USDT_1m.csv [--candles ETH/BTC=file.csv] \
 *     [--port 0] [--balance USDT=10000] [--fee 0.001] [--commission quote|received] \
 *     [--clock first|last|<ms>] [--advance-ms <ms>] [--duplicates open-orders|always] [--seed 1] \
 *     [--behaviour '{"orderLookupLagMs":3000,"commissionAsset":"received"}']
 *
 * `--behaviour` takes any VenueBehaviour fields as JSON (see venue-behaviour.ts); they can be
 * switched later with `POST /__fake/behaviour` (`fakeExchangeControl(url).configure(...)`).
 * Prints `FAKE_EXCHANGE_URL=http://127.0.0.1:<port>` once it listens; stops on SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { csvSourceFromName } from '@3t/exchange';
import { readCandleCsv } from './candle-csv';
import { startFakeExchange, startFakeHyperliquid } from './fake-exchange';
import type { FakeMarketSpec } from './fake-venue';
import { type VenueBehaviourPatch, venueBehaviourPatchSchema } from './venue-behaviour';

const USAGE =
  'usage: fake-exchange-main.ts [--venue binance|hyperliquid] [--max-leverage N] --candles [SYMBOL=]file.csv ... [--port N] [--balance ASSET=AMOUNT ...] [--fee RATE] [--commission quote|received] [--clock first|last|MS] [--advance-ms MS] [--duplicates open-orders|always] [--seed N] [--behaviour JSON]';

function fail(message: string): never {
  process.stderr.write(`fake-exchange: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function pair(value: string, what: string): [string, string] {
  const at = value.indexOf('=');
  if (at <= 0) fail(`--${what} wants KEY=VALUE, got '${value}'`);
  return [value.slice(0, at), value.slice(at + 1)];
}

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    venue: { type: 'string', default: 'binance' },
    'max-leverage': { type: 'string' },
    candles: { type: 'string', multiple: true, default: [] },
    balance: { type: 'string', multiple: true, default: [] },
    fee: { type: 'string' },
    commission: { type: 'string' },
    clock: { type: 'string', default: 'last' },
    'advance-ms': { type: 'string' },
    duplicates: { type: 'string' },
    seed: { type: 'string', default: '1' },
    behaviour: { type: 'string' },
  },
  strict: true,
});

const markets: FakeMarketSpec[] = values.candles.map((arg) => {
  const [symbol, file] = arg.includes('=')
    ? pair(arg, 'candles')
    : [csvSourceFromName(arg)?.symbol, arg];
  if (!symbol) fail(`cannot tell the symbol of '${file}': write --candles BASE/QUOTE=${file}`);
  return {
    symbol,
    candles: readCandleCsv(file),
    ...(values['max-leverage'] === undefined
      ? {}
      : { maxLeverage: Number(values['max-leverage']) }),
  };
});
if (values.venue !== 'binance' && values.venue !== 'hyperliquid') {
  fail(`--venue must be binance or hyperliquid, got '${values.venue}'`);
}
if (markets.length === 0) fail('give at least one --candles file');
const balances: Record<string, string> = {};
for (const m of markets) balances[m.symbol.split('/')[1]!.split(':')[0]!] = '10000';
for (const b of values.balance) {
  const [asset, amount] = pair(b, 'balance');
  balances[asset] = amount;
}
const commission = values.commission;
if (commission !== undefined && commission !== 'quote' && commission !== 'received') {
  fail(`--commission must be quote or received, got '${commission}'`);
}
const duplicates = values.duplicates;
if (duplicates !== undefined && duplicates !== 'open-orders' && duplicates !== 'always') {
  fail(`--duplicates must be open-orders or always, got '${duplicates}'`);
}
const clock =
  values.clock === 'first' || values.clock === 'last' ? values.clock : Number(values.clock);
if (typeof clock === 'number' && !Number.isInteger(clock)) {
  fail(`--clock must be first, last or a time in ms, got '${values.clock}'`);
}

let behaviour: VenueBehaviourPatch = {};
if (values.behaviour !== undefined) {
  try {
    behaviour = venueBehaviourPatchSchema.parse(JSON.parse(values.behaviour));
  } catch (err) {
    fail(`--behaviour: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const start = values.venue === 'hyperliquid' ? startFakeHyperliquid : startFakeExchange;
const fake = await start({
  ...behaviour,
  markets,
  balances,
  port: Number(values.port),
  seed: Number(values.seed),
  clock,
  ...(values.fee === undefined ? {} : { feeRate: values.fee }),
  ...(commission === undefined ? {} : { commissionAsset: commission }),
  ...(duplicates === undefined ? {} : { duplicateClientOrderIds: duplicates }),
  ...(values['advance-ms'] === undefined ? {} : { advanceEveryMs: Number(values['advance-ms']) }),
});
process.stdout.write(`FAKE_EXCHANGE_URL=${fake.url}\n`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void fake.close().then(() => process.exit(0));
  });
}
