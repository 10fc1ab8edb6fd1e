-- 012_sweeps (issue 16): parameter sweeps of `3t sweep`, run as backtest jobs by `3t worker`.
-- sweeps: one row per sweep; its id is a pure function of the expanded jobs (name + hash), so
--   running the same sweep.yml again resumes it instead of starting over.
-- sweep_results: one row per finished job. The primary key (sweep_id, job_index) is the
--   idempotency key: a job that ran twice (a worker killed after writing, BullMQ's stalled-job
--   retry) writes with INSERT IGNORE and the first row stays; a finished job is never rerun.
CREATE TABLE IF NOT EXISTS sweeps (
  id VARCHAR(100) NOT NULL PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  spec JSON NOT NULL COMMENT 'the sweep.yml as validated (sweep-spec.ts)',
  job_count INT UNSIGNED NOT NULL,
  status ENUM('running', 'done', 'failed') NOT NULL DEFAULT 'running',
  created_at BIGINT NOT NULL COMMENT 'our clock ms',
  updated_at BIGINT NOT NULL COMMENT 'our clock ms of the last status change',
  KEY sweeps_name (name)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS sweep_results (
  sweep_id VARCHAR(100) NOT NULL,
  job_index INT UNSIGNED NOT NULL,
  config JSON NOT NULL COMMENT 'the job as queued: backtest inputs, config.yml, parameters, window',
  metrics JSON NOT NULL COMMENT 'summary.strategy of 3t backtest for these inputs',
  equity_sha256 CHAR(64) NOT NULL COMMENT 'sha256 of the equity curve (float64 LE times and values)',
  worker VARCHAR(200) NOT NULL COMMENT 'host:pid of the worker that wrote it',
  duration_ms INT UNSIGNED NOT NULL,
  finished_at BIGINT NOT NULL COMMENT 'our clock ms',
  PRIMARY KEY (sweep_id, job_index),
  CONSTRAINT sweep_results_sweep FOREIGN KEY (sweep_id) REFERENCES sweeps (id) ON DELETE CASCADE
) ENGINE=InnoDB;
