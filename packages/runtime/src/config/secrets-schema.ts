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
      })
      .prefault({})
      .describe('Grafana'),
  })
  .describe('secrets.yml');

export type Secrets = z.infer<typeof secretsSchema>;

/** Paths in `Secrets` whose values are not secret (shown in docs, not scrubbed). */
export const NON_SECRET_PATHS: readonly string[] = ['bull_board.username'];
