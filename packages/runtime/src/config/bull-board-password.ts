/** Shortest Bull Board password queue-monitor accepts (the board is reachable over HTTP). */
export const MIN_BULL_BOARD_PASSWORD = 12;

/**
 * Why queue-monitor cannot run with this secrets.yml `bull_board`, or undefined when it can: no
 * password, or one shorter than MIN_BULL_BOARD_PASSWORD characters. The board never runs open.
 * queue-monitor refuses to start on it; `3t start` says it and starts the other services.
 */
export function bullBoardPasswordProblem(secrets: {
  bull_board: { password: string };
}): string | undefined {
  const { password } = secrets.bull_board;
  if (password === '') {
    return (
      'no Bull Board password configured. Set `bull_board.password` in secrets.yml (or the ' +
      `environment variable TT_BULL_BOARD_PASSWORD), at least ${MIN_BULL_BOARD_PASSWORD} characters`
    );
  }
  const length = [...password].length;
  if (length < MIN_BULL_BOARD_PASSWORD) {
    return `the Bull Board password (secrets.yml bull_board.password) has ${length} characters; use at least ${MIN_BULL_BOARD_PASSWORD}`;
  }
  return undefined;
}
