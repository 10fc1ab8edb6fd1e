-- 010_alo_orders (issue 15): post-only (ALO) orders at the touch, re-priced when the venue refuses
-- them as crossing.
--   post_only: the intent's order is a post-only limit (sizing.order_type: alo).
--   reprices: re-placements after a "would cross" refusal (bounded by orders.alo_max_reprices);
--   attempt_client_order_id: the client id of the current attempt, attemptClientOrderId(intent_id,
--     reprices) of @3t/contracts (NULL = client_order_id), so `orders` rows of any attempt are
--     found by SQL (seen at the exchange) without recomputing the hash.
-- Re-runnable (IF NOT EXISTS): a start stopped half-way through completes on the next run.
ALTER TABLE order_intents
  ADD COLUMN IF NOT EXISTS post_only TINYINT(1) NOT NULL DEFAULT 0 COMMENT 'post-only (ALO) limit order',
  ADD COLUMN IF NOT EXISTS reprices INT UNSIGNED NOT NULL DEFAULT 0 COMMENT 're-placements after would-cross refusals',
  ADD COLUMN IF NOT EXISTS attempt_client_order_id VARCHAR(64) NULL COMMENT 'client id of the current attempt; NULL = client_order_id';
