-- 014_funding_mode: funding_payments kept apart per trading mode, as order-executor's other
-- tables are. The paper account is named like exchange.id, so the paper venue's booking and a live
-- venue's payment of the same exchange, symbol and funding time had one key: the second INSERT
-- IGNORE was dropped (the paper cash not moved, or the live payment never recorded), and each
-- side's "last funding time" read the other's rows.
-- Rows written before: the paper venue's (source paper) are paper; read from a venue, live.
ALTER TABLE funding_payments
  ADD COLUMN IF NOT EXISTS mode ENUM('paper', 'live') NOT NULL DEFAULT 'paper' FIRST;
UPDATE funding_payments SET mode = 'live' WHERE source = 'venue';
ALTER TABLE funding_payments DROP PRIMARY KEY, ADD PRIMARY KEY (mode, exchange, symbol, funding_time);
