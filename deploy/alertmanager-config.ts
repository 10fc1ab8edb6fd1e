/**
 * Alertmanager's configuration: the route tree of prometheus/alertmanager.yml with the receiver
 * `operators` given the channels set in secrets.yml `alertmanager` (a webhook, Telegram, e-mail,
 * as Alertmanager supports them). Written by deploy/write-secret-files.ts, read by the
 * alertmanager container; the alert test (test/deploy/alert-delivery.test.ts) runs it too.
 */
import { parse, stringify } from 'yaml';

export interface AlertReceivers {
  webhook_url: string;
  telegram_bot_token: string;
  telegram_chat_id: string;
  email_to: string;
  email_from: string;
  email_smarthost: string;
  email_username: string;
  email_password: string;
}

/** The receiver every route of the template sends to. */
export const OPERATORS = 'operators';

interface Receiver {
  name: string;
  [integration: string]: unknown;
}

/** The channels of `r` that are set, as Alertmanager receiver integrations. */
export function receiverIntegrations(r: AlertReceivers): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  if (r.webhook_url !== '') {
    out['webhook_configs'] = [{ url: r.webhook_url, send_resolved: true }];
  }
  if (r.telegram_bot_token !== '' && r.telegram_chat_id !== '') {
    out['telegram_configs'] = [
      {
        bot_token: r.telegram_bot_token,
        chat_id: Number(r.telegram_chat_id),
        send_resolved: true,
      },
    ];
  }
  if (r.email_to !== '' && r.email_smarthost !== '') {
    out['email_configs'] = [
      {
        to: r.email_to,
        ...(r.email_from !== '' ? { from: r.email_from } : {}),
        smarthost: r.email_smarthost,
        ...(r.email_username !== '' ? { auth_username: r.email_username } : {}),
        ...(r.email_password !== '' ? { auth_password: r.email_password } : {}),
        send_resolved: true,
      },
    ];
  }
  return out;
}

/** `template` (prometheus/alertmanager.yml) with the receiver `operators` filled in. */
export function renderAlertmanagerConfig(template: string, receivers: AlertReceivers): string {
  const config = parse(template) as { receivers?: Receiver[] };
  const operators = config.receivers?.find((r) => r.name === OPERATORS);
  if (!operators) {
    throw new Error(`alertmanager.yml: no receiver named '${OPERATORS}' to fill in`);
  }
  Object.assign(operators, receiverIntegrations(receivers));
  return `# written by deploy/write-secret-files.ts from prometheus/alertmanager.yml and secrets.yml\n${stringify(config)}`;
}
