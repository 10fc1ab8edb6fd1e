-- 013_funding_margin: perpetuals as money (issue 15).
-- * funding_payments: every funding payment of a perpetual position, one row per
--   (exchange, symbol, funding time): the paper venue books them from funding rates
--   (−position × mark × rate), a live venue's are read back with ccxt fetchFundingHistory.
--   amount is signed as the balance moved: negative = paid, positive = received.
-- * paper_positions.entry_price / margin: a paper perpetual's average entry price and isolated
--   margin (notional / leverage held from the balance); spot rows keep NULL and 0.
-- * paper_orders.hold: quote held for an open paper perpetual order (its initial margin and fee).
-- Every statement is re-runnable.

CREATE TABLE IF NOT EXISTS funding_payments (
  exchange VARCHAR(64) NOT NULL COMMENT 'ccxt exchange id, or the paper account',
  symbol VARCHAR(64) NOT NULL,
  funding_time BIGINT NOT NULL COMMENT 'funding time ms the payment belongs to',
  amount DECIMAL(36, 18) NOT NULL COMMENT 'signed: negative = paid',
  currency VARCHAR(20) NOT NULL,
  rate DECIMAL(36, 18) NULL COMMENT 'funding rate applied, when known',
  position DECIMAL(36, 18) NULL COMMENT 'signed position the payment was computed on',
  mark_price DECIMAL(36, 18) NULL,
  venue_id VARCHAR(128) NULL COMMENT 'the venue''s id of the payment, when it gives one',
  source ENUM('paper', 'venue') NOT NULL,
  recorded_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (exchange, symbol, funding_time),
  KEY ix_funding_payments_time (exchange, funding_time)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

ALTER TABLE paper_positions
  ADD COLUMN IF NOT EXISTS entry_price DECIMAL(36, 18) NULL COMMENT 'perpetuals: average entry',
  ADD COLUMN IF NOT EXISTS margin DECIMAL(36, 18) NOT NULL DEFAULT 0 COMMENT 'perpetuals: isolated margin';

ALTER TABLE paper_orders
  ADD COLUMN IF NOT EXISTS hold DECIMAL(36, 18) NULL COMMENT 'perpetuals: quote held while open';
