-- 004_account_equity: the account's latest equity (cash in the quote currencies + positions at the
-- latest prices), written by order-executor after each target and read by strategy-runner, whose
-- take-profit / drawdown epochs (strategy.md §7) and Kelly history need it. One row per account.
CREATE TABLE IF NOT EXISTS account_equity (
  mode ENUM('paper', 'live') NOT NULL,
  exchange VARCHAR(40) NOT NULL,
  equity DECIMAL(36, 18) NOT NULL COMMENT 'quote currency',
  as_of BIGINT NOT NULL COMMENT 'our clock ms at the sample',
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (mode, exchange)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
