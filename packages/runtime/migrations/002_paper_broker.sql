-- 002_paper_broker: the paper broker's own book (@3t/exchange PaperBroker), i.e. the simulated
-- venue. order-executor's records (order_intents, orders, fills, positions of 001_core) are
-- reconciled against it exactly as against a real exchange.
-- * `account` names one paper venue (default 'paper'), so several can share a database;
-- * money, prices and quantities DECIMAL(36,18); times BIGINT ms (event time of the prices);
-- * idempotent by client order id: one order per (account, client_order_id), one fill per order
--   (paper orders fill in full), so a retried placement or a replayed price changes nothing;
-- * every statement is re-runnable (IF NOT EXISTS).

CREATE TABLE IF NOT EXISTS paper_accounts (
  account VARCHAR(64) NOT NULL,
  quote_currency VARCHAR(20) NOT NULL,
  starting_balance DECIMAL(36, 18) NOT NULL,
  cash DECIMAL(36, 18) NOT NULL COMMENT 'quote currency after every fill and fee',
  fees_paid DECIMAL(36, 18) NOT NULL DEFAULT 0,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (account)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS paper_positions (
  account VARCHAR(64) NOT NULL,
  symbol VARCHAR(64) NOT NULL,
  quantity DECIMAL(36, 18) NOT NULL DEFAULT 0 COMMENT 'signed base units',
  last_fill_time BIGINT NULL COMMENT 'event time ms of the last fill',
  PRIMARY KEY (account, symbol)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The latest price per symbol: the next price fills the orders placed before it.
CREATE TABLE IF NOT EXISTS paper_prices (
  account VARCHAR(64) NOT NULL,
  symbol VARCHAR(64) NOT NULL,
  price DECIMAL(36, 18) NOT NULL,
  price_time BIGINT NOT NULL COMMENT 'event time ms of the price',
  PRIMARY KEY (account, symbol)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS paper_orders (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'the order id the paper venue reports',
  account VARCHAR(64) NOT NULL,
  client_order_id VARCHAR(64) NOT NULL,
  symbol VARCHAR(64) NOT NULL,
  side ENUM('buy', 'sell') NOT NULL,
  type ENUM('market', 'limit') NOT NULL,
  quantity DECIMAL(36, 18) NOT NULL,
  limit_price DECIMAL(36, 18) NULL,
  post_only TINYINT(1) NOT NULL DEFAULT 0,
  status ENUM('open', 'closed', 'canceled', 'expired', 'rejected') NOT NULL DEFAULT 'open',
  status_reason VARCHAR(500) NULL,
  filled DECIMAL(36, 18) NOT NULL DEFAULT 0,
  average_price DECIMAL(36, 18) NULL,
  reserve_price DECIMAL(36, 18) NULL COMMENT 'price used to hold funds for an open buy',
  placed_at BIGINT NOT NULL COMMENT 'broker clock ms',
  updated_at_ms BIGINT NOT NULL COMMENT 'broker clock ms',
  PRIMARY KEY (id),
  UNIQUE KEY uq_paper_orders_client (account, client_order_id),
  KEY ix_paper_orders_open (account, symbol, status)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS paper_fills (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'the trade id the paper venue reports',
  account VARCHAR(64) NOT NULL,
  order_id BIGINT UNSIGNED NOT NULL,
  client_order_id VARCHAR(64) NOT NULL,
  symbol VARCHAR(64) NOT NULL,
  side ENUM('buy', 'sell') NOT NULL,
  price DECIMAL(36, 18) NOT NULL COMMENT 'after slippage',
  quantity DECIMAL(36, 18) NOT NULL,
  fee DECIMAL(36, 18) NOT NULL,
  fee_currency VARCHAR(20) NOT NULL,
  liquidity ENUM('maker', 'taker') NOT NULL,
  fill_time BIGINT NOT NULL COMMENT 'event time ms of the price that filled it',
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_paper_fills_order (account, order_id),
  KEY ix_paper_fills_symbol (account, symbol, fill_time)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
