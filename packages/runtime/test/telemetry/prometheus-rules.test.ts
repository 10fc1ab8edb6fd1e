import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { listMetricDefs, METRICS_PORTS, seriesNames } from '../../src/telemetry';
import { promtool } from './helpers/promtool';
import { repoPath } from './helpers/repo-paths';

const CONFIG = repoPath('prometheus/prometheus.yml');
const RULES = repoPath('prometheus/alerts.yml');
const RULE_TESTS = repoPath('prometheus/tests/alerts.test.yml');

interface RuleFile {
  groups: { name: string; rules: { alert?: string; expr: string }[] }[];
}
interface RuleTests {
  tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}

const rules = parse(readFileSync(RULES, 'utf8')) as RuleFile;
const alerts = rules.groups.flatMap((g) => g.rules).filter((r) => r.alert);

describe('prometheus/', () => {
  it('promtool check config accepts prometheus.yml and its rule file', async () => {
    const r = await promtool(['check', 'config', CONFIG]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS: 1 rule files found');
  });

  it('promtool check rules accepts alerts.yml', async () => {
    const r = await promtool(['check', 'rules', RULES]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`SUCCESS: ${alerts.length} rules found`);
  });

  it('promtool test rules passes, with a firing and a silent case for every alert', async () => {
    const r = await promtool(['test', 'rules', RULE_TESTS]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const cases = (parse(readFileSync(RULE_TESTS, 'utf8')) as RuleTests).tests.flatMap(
      (t) => t.alert_rule_test ?? [],
    );
    for (const { alert } of alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(
        mine.some((c) => c.exp_alerts.length > 0),
        `${alert}: a case where it fires`,
      ).toBe(true);
      expect(
        mine.some((c) => c.exp_alerts.length === 0),
        `${alert}: a case where it stays silent`,
      ).toBe(true);
    }
  });

  it('covers the alerts issue 6 asks for', () => {
    expect(alerts.map((a) => a.alert)).toEqual(
      expect.arrayContaining([
        'ServiceDown',
        'QueueBacklogGrowing',
        'DeadLettersPresent',
        'FeedStale',
        'ExchangeErrors',
        'OrdersRejected',
        'DrawdownBeyondLimit',
        'KillSwitchOn',
      ]),
    );
  });

  it('alerts use only metrics of the catalogue', () => {
    const known = new Set(listMetricDefs().flatMap(seriesNames));
    for (const { alert, expr } of alerts) {
      for (const name of expr.match(/\btt_[a-z0-9_]+/g) ?? []) {
        expect(known.has(name), `${alert} uses ${name}`).toBe(true);
      }
    }
  });

  it('scrapes every service on its default metrics port, plus the Redis and MariaDB exporters', () => {
    const config = parse(readFileSync(CONFIG, 'utf8')) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = Object.fromEntries(
      config.scrape_configs.map((s) => [s.job_name, s.static_configs.flatMap((c) => c.targets)]),
    );
    for (const [service, port] of Object.entries(METRICS_PORTS)) {
      expect(targets[service], `scrape job ${service}`).toEqual([`${service}:${port}`]);
    }
    expect(targets.redis).toEqual(['redis-exporter:9121']);
    expect(targets.mariadb).toEqual(['mysqld-exporter:9104']);
  });
});
