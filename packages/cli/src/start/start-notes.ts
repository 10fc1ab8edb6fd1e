import type { Config } from '@3t/runtime';

/**
 * What `3t start` tells the user before it starts, about settings that work as designed but
 * surprise on a first run.
 */
export function startNotes(config: Config): string[] {
  const notes: string[] = [];
  if (config.feed.source === 'replay' && config.feed.replay_speed === 0) {
    notes.push(
      `3t start: note: the replay runs as fast as possible, and risk.max_orders_per_minute (${config.risk.max_orders_per_minute}) counts wall-clock minutes, so most orders after the first ${config.risk.max_orders_per_minute} will be denied (max_orders_per_minute); for a demo set feed.replay_speed (e.g. 60 = one hour per minute) or raise the limit`,
    );
  }
  if (config.feed.source === 'replay') {
    notes.push(
      '3t start: note: strategy-runner continues its saved ensemble (MariaDB strategy_snapshots); replaying the same candles again on this database drops them as older (tt_strategy_stale_features_total): use a fresh database or `DELETE FROM strategy_snapshots` to replay from the start',
    );
  }
  return notes;
}
