-- 003_risk_day_baselines: the equity PnL at the first order decision of each UTC day, the baseline
-- of risk.max_daily_loss. Written once per (mode, exchange, day) by order-executor and read back
-- after a restart, so a crash or redeploy cannot reset the day's loss to zero.
CREATE TABLE IF NOT EXISTS risk_day_baselines (
  mode ENUM('paper', 'live') NOT NULL,
  exchange VARCHAR(40) NOT NULL,
  day INT NOT NULL COMMENT 'UTC day number: floor(ms / 86400000)',
  pnl DECIMAL(36, 18) NOT NULL COMMENT 'realized + unrealized PnL (quote) at the first look',
  recorded_at BIGINT NOT NULL COMMENT 'our clock ms',
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (mode, exchange, day)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
