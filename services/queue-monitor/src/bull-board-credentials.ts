import type { Credentials } from './basic-auth';

/**
 * The Bull Board login from secrets.yml. No password configured is an error: the board can
 * retry and delete jobs, so it never runs open.
 */
export function bullBoardCredentials(secrets: {
  bull_board: { username: string; password: string };
}): Credentials {
  const { username, password } = secrets.bull_board;
  if (password === '') {
    throw new Error(
      'queue-monitor: no Bull Board password configured. Set `bull_board.password` in ' +
        'secrets.yml (or the environment variable TT_BULL_BOARD_PASSWORD) and start again.',
    );
  }
  return { username, password };
}
