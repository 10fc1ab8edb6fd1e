-- 006_order_safety (issue 12): one writer per intent, "not found" is not proof, a reducing state.
-- order_intents:
--   status `unknown`: the outcome at the exchange could not be learned within the lookup window;
--     never placed again, the symbol is halted, reconciliation keeps asking about it.
--   claim_owner / claim_expires_at: only the process holding an unexpired claim calls the exchange
--     for the intent (the target worker and reconciliation take the same claim).
--   not_found_since / not_found_count: lookups that answered "not found" since the last placement;
--     the intent is placed again only when they span the configured grace window.
-- Every statement is re-runnable (IF NOT EXISTS; MODIFY sets the same definition again): DDL is not
-- transactional in MariaDB, so a start stopped half-way through completes on the next run.
ALTER TABLE order_intents
  MODIFY status ENUM('pending', 'submitted', 'partially_filled', 'filled', 'cancelled', 'rejected',
    'expired', 'denied', 'unknown') NOT NULL DEFAULT 'pending',
  ADD COLUMN IF NOT EXISTS claim_owner VARCHAR(100) NULL COMMENT 'process that may call the exchange for it',
  ADD COLUMN IF NOT EXISTS claim_expires_at BIGINT NULL COMMENT 'our clock ms; an expired claim may be taken',
  ADD COLUMN IF NOT EXISTS not_found_since BIGINT NULL COMMENT 'our clock ms of the first "not found" after the last placement',
  ADD COLUMN IF NOT EXISTS not_found_count INT UNSIGNED NOT NULL DEFAULT 0 COMMENT '"not found" answers since then';

-- trading_halts.state: `halted` stops every order of the scope; `reducing` lets through only
-- orders that bring the position toward zero (nautilus_trader's TradingState.REDUCING).
-- `halted` (the flag) stays: 1 for both states, so older readers keep stopping on either.
ALTER TABLE trading_halts
  ADD COLUMN IF NOT EXISTS state ENUM('halted', 'reducing') NOT NULL DEFAULT 'halted' AFTER halted;

-- Holdings found at the exchange at the first start: coins that were there before 3T traded are
-- not 3T's, so reconciliation compares 3T's position with (exchange − baseline).
CREATE TABLE IF NOT EXISTS account_baselines (
  mode ENUM('paper', 'live') NOT NULL,
  exchange VARCHAR(40) NOT NULL,
  symbol VARCHAR(64) NOT NULL,
  quantity DECIMAL(36, 18) NOT NULL COMMENT 'exchange position (base units) at the first start',
  recorded_at BIGINT NOT NULL COMMENT 'our clock ms',
  PRIMARY KEY (mode, exchange, symbol)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
