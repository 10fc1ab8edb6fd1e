-- 011_venue_leverage: the leverage and margin mode order-executor set on the venue for each
-- symbol at its start (config exchange.leverage, else the venue's market maximum, else 1), read
-- by strategy-runner for the run cap and symbol weights (strategy.md §6), so both use one value.
CREATE TABLE IF NOT EXISTS venue_leverage (
  mode ENUM('paper', 'live') NOT NULL,
  exchange VARCHAR(40) NOT NULL,
  symbol VARCHAR(64) NOT NULL,
  leverage INT NOT NULL COMMENT 'max leverage in use (set on the venue for perpetuals)',
  market_max_leverage INT NULL COMMENT 'the venue market maximum; NULL when the venue has none',
  margin_mode ENUM('cross', 'isolated') NULL COMMENT 'set on the venue; NULL for spot',
  set_at BIGINT NOT NULL COMMENT 'our clock ms',
  PRIMARY KEY (mode, exchange, symbol)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
