import { readFundingCsv as readChecked } from '@3t/exchange';
import { CliError } from '../cli-error';

export { fundingIntervalHours, fundingTimesBetween } from '@3t/contracts';
export {
  FUNDING_CSV_HEADER,
  type FundingSeries,
  parseFundingCsv,
  rateAt,
} from '@3t/exchange';

/** A funding-rate file of a backtest: a bad one is bad input (exit 1), named with its line. */
export function readFundingCsv(path: string): ReturnType<typeof readChecked> {
  try {
    return readChecked(path);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}
