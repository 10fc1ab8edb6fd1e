import { z } from 'zod';

const secret = (what: string) => z.string().default('').describe(what);

/** secrets.yml: every value here is redacted from logs, errors, metrics and traces. */
export const secretsSchema = z
  .strictObject({
    exchange: z
      .strictObject({
        api_key: secret('exchange API key (ccxt `apiKey`)'),
        secret: secret('exchange API secret (ccxt `secret`)'),
        password: secret('API passphrase where the exchange has one (ccxt `password`)'),
        uid: secret('account uid where the exchange needs one (ccxt `uid`)'),
        wallet_address: secret('wallet address, e.g. Hyperliquid (ccxt `walletAddress`)'),
        private_key: secret('wallet private key, e.g. Hyperliquid API wallet (ccxt `privateKey`)'),
      })
      .prefault({})
      .describe('Exchange credentials (needed for mode: live)'),
    mariadb: z
      .strictObject({ password: secret('password of `mariadb.user`') })
      .prefault({})
      .describe('MariaDB'),
    redis: z
      .strictObject({ password: secret('Redis password (AUTH); empty = none') })
      .prefault({})
      .describe('Redis'),
    bull_board: z
      .strictObject({
        username: z.string().min(1).default('admin').describe('Bull Board user name'),
        password: secret('Bull Board password; queue-monitor refuses to start without one'),
      })
      .prefault({})
      .describe('Bull Board (queue-monitor)'),
    grafana: z
      .strictObject({
        admin_password: secret('Grafana admin password; Grafana never starts without one'),
        mariadb_password: secret(
          'password of the read-only MariaDB user `grafana_reader` that Grafana queries as (docker-compose sets it at every MariaDB start)',
        ),
      })
      .prefault({})
      .describe('Grafana'),
    alertmanager: z
      .strictObject({
        webhook_url: secret(
          'URL Alertmanager POSTs every alert to (its webhook JSON); empty = no webhook',
        ),
        telegram_bot_token: secret(
          'Telegram bot token; with telegram_chat_id, alerts go to Telegram',
        ),
        telegram_chat_id: z
          .string()
          .regex(/^(-?\d+)?$/, 'a numeric Telegram chat id')
          .default('')
          .describe('Telegram chat id (a number, negative for groups)'),
        email_to: z.string().default('').describe('address alert e-mails go to; empty = no e-mail'),
        email_from: z.string().default('').describe('sender address of alert e-mails'),
        email_smarthost: z
          .string()
          .default('')
          .describe('SMTP server `host:port` that sends alert e-mails'),
        email_username: z.string().default('').describe('SMTP login user'),
        email_password: secret('SMTP login password'),
      })
      .prefault({})
      .describe('Alertmanager receivers (docker-compose): who hears about an alert'),
  })
  .describe('secrets.yml');

export type Secrets = z.infer<typeof secretsSchema>;

/** Paths in `Secrets` whose values are not secret (shown in docs, not scrubbed). */
export const NON_SECRET_PATHS: readonly string[] = [
  'bull_board.username',
  'alertmanager.telegram_chat_id',
  'alertmanager.email_to',
  'alertmanager.email_from',
  'alertmanager.email_smarthost',
  'alertmanager.email_username',
];
