-- 005_strategy_snapshots: strategy-runner's ensemble (every run's parameters, virtual book, APR
-- window, the shared tick series and the epochs), saved every minute and at shutdown and restored
-- at start, so a restart continues the same runs instead of drawing new ones that vote flat.
CREATE TABLE IF NOT EXISTS strategy_snapshots (
  mode ENUM('paper', 'live') NOT NULL,
  exchange VARCHAR(40) NOT NULL,
  seed BIGINT NOT NULL,
  last_open_time BIGINT NULL COMMENT 'ms: the newest candle any symbol stepped through',
  taken_at BIGINT NOT NULL COMMENT 'our clock ms',
  snapshot LONGBLOB NOT NULL COMMENT 'gzip of the JSON EnsembleSnapshot (@3t/handlers)',
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (mode, exchange)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
