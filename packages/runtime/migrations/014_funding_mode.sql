-- 014_funding_mode: funding_payments kept apart per trading mode, as order-executor's other
-- tables are. The paper account is named like exchange.id, so the paper venue's booking and a live
-- venue's payment of the same exchange, symbol and funding time had one key: the second INSERT
-- IGNORE was dropped (the paper cash not moved, or the live payment never recorded), and each
-- side's "last funding time" read the other's rows.
-- Rows written before: the paper venue's (source paper) are paper; read from a venue, live.
-- Re-runnable after a start stopped half-way through (DDL is not transactional in MariaDB): the
-- rows are relabelled and the key rebuilt only while the primary key does not include `mode` yet,
-- so a re-run once the new key exists leaves the rows written since untouched.
ALTER TABLE funding_payments
  ADD COLUMN IF NOT EXISTS mode ENUM('paper', 'live') NOT NULL DEFAULT 'paper' FIRST;
SET @tt_014_pending = NOT EXISTS (
  SELECT 1 FROM information_schema.statistics
  WHERE table_schema = DATABASE() AND table_name = 'funding_payments'
    AND index_name = 'PRIMARY' AND column_name = 'mode');
UPDATE funding_payments SET mode = 'live' WHERE source = 'venue' AND @tt_014_pending;
SET @tt_014_key = IF(@tt_014_pending,
  'ALTER TABLE funding_payments DROP PRIMARY KEY, ADD PRIMARY KEY (mode, exchange, symbol, funding_time)',
  'DO 0');
PREPARE tt_014_key FROM @tt_014_key;
EXECUTE tt_014_key;
DEALLOCATE PREPARE tt_014_key;
