import { bullBoardPasswordProblem } from '@3t/runtime';
import type { Credentials } from './basic-auth';

/**
 * The Bull Board login from secrets.yml. No password, or one shorter than 12 characters, is an
 * error: the board never runs open.
 */
export function bullBoardCredentials(secrets: {
  bull_board: { username: string; password: string };
}): Credentials {
  const problem = bullBoardPasswordProblem(secrets);
  if (problem) throw new Error(`queue-monitor: ${problem}, and start again.`);
  const { username, password } = secrets.bull_board;
  return { username, password };
}
