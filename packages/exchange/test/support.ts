import { ExchangePortError } from '@3t/contracts';

/** The ExchangePortError a promise rejects with; fails the test when it resolves or throws else. */
export async function refusal(p: Promise<unknown>): Promise<ExchangePortError> {
  const outcome = await p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if ('value' in outcome)
    throw new Error(`expected a refusal, got ${JSON.stringify(outcome.value)}`);
  if (!(outcome.error instanceof ExchangePortError)) {
    throw new Error(`expected an ExchangePortError, got ${String(outcome.error)}`);
  }
  return outcome.error;
}
