-- 001_core: the tables of design.md "Data". Conventions:
-- * money, prices and quantities DECIMAL(36,18) (never FLOAT); positions are signed;
-- * event times are BIGINT milliseconds since the epoch (UTC), equal to the job fields;
--   row bookkeeping (created_at/updated_at) is TIMESTAMP(3) in UTC (the pool sets time_zone);
-- * every write has a natural unique key, so a retried or replayed write is an upsert or a no-op;
-- * `mode` (paper | live) is part of every trading key, so paper and live rows never mix;
-- * utf8mb4_bin: ids and symbols compare exactly (case-sensitive).
-- DDL is not transactional in MariaDB: every statement is re-runnable (IF NOT EXISTS), so a
-- migration interrupted half-way completes on the next run.

-- Providence runs (strategy-runner): parameters, state and results.
CREATE TABLE IF NOT EXISTS runs (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  run_key VARCHAR(128) NOT NULL COMMENT 'deterministic id (seed + draw sequence)',
  exchange VARCHAR(40) NOT NULL,
  symbol VARCHAR(64) NOT NULL,
  epoch INT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'cohort height; archived cohorts feed Kelly kh',
  state ENUM('active', 'ended', 'archived') NOT NULL DEFAULT 'active',
  end_reason VARCHAR(32) NULL COMMENT 'max_duration | apr_target | reversal | reset',
  params JSON NOT NULL COMMENT 'the drawn run parameters (strategy.md section 3)',
  started_at BIGINT NOT NULL COMMENT 'event time ms',
  ended_at BIGINT NULL COMMENT 'event time ms',
  start_balance DECIMAL(36, 18) NOT NULL,
  end_balance DECIMAL(36, 18) NULL,
  live_pnl DECIMAL(36, 18) NOT NULL DEFAULT 0,
  position_direction INT NOT NULL DEFAULT 0 COMMENT 'pd: signed count of unit trades',
  apr DECIMAL(36, 18) NULL,
  updated_at_event BIGINT NOT NULL COMMENT 'event time ms of the tick that last wrote this row',
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_runs_key (run_key),
  KEY ix_runs_state (state, symbol),
  KEY ix_runs_epoch (epoch, state)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The outbox: one row per decided order, written before any exchange call (issue 7 item 2).
CREATE TABLE IF NOT EXISTS order_intents (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  mode ENUM('paper', 'live') NOT NULL,
  intent_id VARCHAR(200) NOT NULL COMMENT 'orderIntentId() of @3t/contracts',
  client_order_id VARCHAR(64) NOT NULL COMMENT 'clientOrderId(intent_id)',
  exchange VARCHAR(40) NOT NULL,
  symbol VARCHAR(64) NOT NULL,
  side ENUM('buy', 'sell') NOT NULL,
  type ENUM('market', 'limit') NOT NULL,
  quantity DECIMAL(36, 18) NOT NULL,
  limit_price DECIMAL(36, 18) NULL,
  target_position DECIMAL(36, 18) NOT NULL,
  current_position DECIMAL(36, 18) NOT NULL,
  status ENUM('pending', 'submitted', 'partially_filled', 'filled', 'cancelled', 'rejected', 'expired', 'denied')
    NOT NULL DEFAULT 'pending',
  reason VARCHAR(500) NOT NULL COMMENT 'why the order: target and sizing inputs',
  status_reason VARCHAR(1000) NULL COMMENT 'why the last status: risk rule, exchange error',
  based_on VARCHAR(200) NOT NULL COMMENT 'job id of the target that caused it',
  attempts INT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'exchange submissions tried',
  filled_quantity DECIMAL(36, 18) NOT NULL DEFAULT 0,
  average_price DECIMAL(36, 18) NULL,
  created_at_event BIGINT NOT NULL COMMENT 'event time ms of the decision',
  submitted_at BIGINT NULL COMMENT 'our clock ms of the first submission',
  finished_at BIGINT NULL COMMENT 'our clock ms when it reached a terminal status',
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_intents_intent (mode, intent_id),
  UNIQUE KEY uq_intents_client (mode, client_order_id),
  KEY ix_intents_status (mode, status),
  KEY ix_intents_symbol (mode, exchange, symbol, created_at_event),
  KEY ix_intents_submitted (mode, submitted_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Orders as the exchange (or paper broker) knows them; one per client order id.
CREATE TABLE IF NOT EXISTS orders (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  mode ENUM('paper', 'live') NOT NULL,
  exchange VARCHAR(40) NOT NULL,
  exchange_order_id VARCHAR(128) NOT NULL,
  client_order_id VARCHAR(64) NULL COMMENT 'NULL for orders not placed by 3T (found by reconciliation)',
  symbol VARCHAR(64) NOT NULL,
  side ENUM('buy', 'sell') NOT NULL,
  type VARCHAR(20) NOT NULL,
  status ENUM('open', 'closed', 'canceled', 'expired', 'rejected') NOT NULL COMMENT 'ccxt order status',
  quantity DECIMAL(36, 18) NOT NULL,
  price DECIMAL(36, 18) NULL,
  filled DECIMAL(36, 18) NOT NULL DEFAULT 0,
  average_price DECIMAL(36, 18) NULL,
  exchange_time BIGINT NULL COMMENT 'exchange timestamp ms',
  updated_at_exchange BIGINT NULL COMMENT 'exchange last-update timestamp ms',
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_orders_exchange_id (mode, exchange, exchange_order_id),
  UNIQUE KEY uq_orders_client (mode, exchange, client_order_id),
  KEY ix_orders_status (mode, status)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Executions; the exchange trade id is unique per exchange, so a fill is stored exactly once.
CREATE TABLE IF NOT EXISTS fills (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  mode ENUM('paper', 'live') NOT NULL,
  exchange VARCHAR(40) NOT NULL,
  trade_id VARCHAR(128) NOT NULL,
  exchange_order_id VARCHAR(128) NOT NULL,
  client_order_id VARCHAR(64) NULL,
  symbol VARCHAR(64) NOT NULL,
  side ENUM('buy', 'sell') NOT NULL,
  price DECIMAL(36, 18) NOT NULL,
  quantity DECIMAL(36, 18) NOT NULL,
  fee_cost DECIMAL(36, 18) NOT NULL DEFAULT 0,
  fee_currency VARCHAR(20) NOT NULL,
  liquidity ENUM('maker', 'taker') NULL,
  exchange_time BIGINT NOT NULL COMMENT 'execution time ms at the exchange',
  received_at BIGINT NOT NULL COMMENT 'our clock ms',
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_fills_trade (mode, exchange, trade_id),
  KEY ix_fills_order (mode, exchange, exchange_order_id),
  KEY ix_fills_client (mode, client_order_id),
  KEY ix_fills_symbol_time (mode, exchange, symbol, exchange_time)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Current position per symbol, derived from fills (update it in the transaction that inserts
-- the fill, only when the insert added a row).
CREATE TABLE IF NOT EXISTS positions (
  mode ENUM('paper', 'live') NOT NULL,
  exchange VARCHAR(40) NOT NULL,
  symbol VARCHAR(64) NOT NULL,
  quantity DECIMAL(36, 18) NOT NULL DEFAULT 0 COMMENT 'signed base units',
  average_entry_price DECIMAL(36, 18) NULL,
  realized_pnl DECIMAL(36, 18) NOT NULL DEFAULT 0 COMMENT 'quote currency, after fees',
  fees DECIMAL(36, 18) NOT NULL DEFAULT 0,
  fill_count BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'fills applied, to cross-check against fills',
  last_fill_time BIGINT NULL COMMENT 'exchange time ms of the last applied fill',
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (mode, exchange, symbol)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Balance snapshots per currency (the latest is the current balance; the first of a UTC day
-- gives the daily-loss baseline). One snapshot per (currency, as_of).
CREATE TABLE IF NOT EXISTS balances (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  mode ENUM('paper', 'live') NOT NULL,
  exchange VARCHAR(40) NOT NULL,
  currency VARCHAR(20) NOT NULL,
  total DECIMAL(36, 18) NOT NULL,
  free DECIMAL(36, 18) NOT NULL,
  used DECIMAL(36, 18) NOT NULL,
  as_of BIGINT NOT NULL COMMENT 'ms: exchange time of the balance, or our clock',
  source ENUM('exchange', 'paper', 'reconciliation') NOT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_balances_snapshot (mode, exchange, currency, as_of)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Each reconciliation of our records with the exchange: what differed and what was done.
CREATE TABLE IF NOT EXISTS reconciliations (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  mode ENUM('paper', 'live') NOT NULL,
  exchange VARCHAR(40) NOT NULL,
  reconcile_key VARCHAR(200) NOT NULL COMMENT 'deterministic: trigger and scheduled time',
  trigger_kind ENUM('start', 'scheduled', 'target', 'manual') NOT NULL,
  status ENUM('running', 'ok', 'repaired', 'halted', 'failed') NOT NULL DEFAULT 'running',
  started_at BIGINT NOT NULL COMMENT 'our clock ms',
  finished_at BIGINT NULL,
  differences JSON NULL COMMENT 'list of {kind, symbol, ours, theirs, action}',
  summary VARCHAR(1000) NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_reconciliations_key (mode, exchange, reconcile_key),
  KEY ix_reconciliations_time (mode, exchange, started_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Trading halts (kill switch `3t halt`, a symbol halted by an unknown error, an unexplained
-- reconciliation difference). scope = 'all' or a symbol. A row with halted = 1 stops new orders.
CREATE TABLE IF NOT EXISTS trading_halts (
  mode ENUM('paper', 'live') NOT NULL,
  scope VARCHAR(64) NOT NULL,
  halted TINYINT(1) NOT NULL,
  reason VARCHAR(1000) NOT NULL,
  changed_at BIGINT NOT NULL COMMENT 'our clock ms',
  PRIMARY KEY (mode, scope)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
