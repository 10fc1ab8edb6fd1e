-- Grafana's MariaDB data source logs in as grafana_reader, which may only SELECT from this
-- database: a dashboard login can then never write an outbox row (order_intents) that
-- order-executor would place, nor change any other table. The account is created locked, with no
-- password: docker-compose gives it the password of secrets.yml `grafana.mariadb_password` and
-- unlocks it at every MariaDB start (deploy/write-secret-files.ts, MariaDB `--init-file`); without
-- Docker: ALTER USER 'grafana_reader'@'%' IDENTIFIED BY '…' ACCOUNT UNLOCK (docs/operations.md).
-- Whoever applies the migrations needs the CREATE USER and GRANT OPTION privileges (root has them).
CREATE USER IF NOT EXISTS 'grafana_reader'@'%' ACCOUNT LOCK;
SET @tt_grant_reader = CONCAT(
  'GRANT SELECT ON `', REPLACE(DATABASE(), '`', '``'), '`.* TO ''grafana_reader''@''%''');
PREPARE tt_grant_reader FROM @tt_grant_reader;
EXECUTE tt_grant_reader;
DEALLOCATE PREPARE tt_grant_reader;
