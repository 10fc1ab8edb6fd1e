import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ENV_CONTROL, ENV_OVERRIDES } from '@3t/runtime';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeConfig, nativeServices, ROOT, serviceEntrypoints } from './stack';

const compose = composeConfig();
const natives = nativeServices();

/** `[host_ip:]published:target[/tcp]` or the long form → the published and target ports. */
function portPairs(ports: unknown[] | undefined): { published: number; target: number }[] {
  return (ports ?? []).map((p) => {
    if (typeof p === 'object' && p !== null && 'target' in p && 'published' in p) {
      return { published: Number(p.published), target: Number(p.target) };
    }
    const m = typeof p === 'string' ? /(\d+):(\d+)(?:\/tcp)?$/.exec(p) : null;
    if (!m) throw new Error(`unexpected port entry ${JSON.stringify(p)}`);
    return { published: Number(m[1]), target: Number(m[2]) };
  });
}

/** The host address of every published port (`docker-compose config` writes `ip:pub:target`). */
function hostIps(ports: unknown[] | undefined): string[] {
  return (ports ?? []).map((p) =>
    typeof p === 'object' && p !== null && 'host_ip' in p
      ? String(p.host_ip)
      : (/^(.+):\d+:\d+(?:\/tcp)?$/.exec(String(p))?.[1] ?? '(every interface)'),
  );
}

/** The `pnpm build` bundle of a service entrypoint (services/<name>/src/main.ts → dist/<name>.mjs). */
const bundleOf = (entrypoint: string) => `dist/${basename(dirname(dirname(entrypoint)))}.mjs`;

/** `source:target[:ro]` of every mount (`:rw`, the default, left off). */
function mounts(name: string): string[] {
  return (compose.services[name]?.volumes ?? []).map((v) =>
    (typeof v === 'string' ? v : `${v.source}:${v.target}${v.read_only ? ':ro' : ''}`).replace(
      /:rw$/,
      '',
    ),
  );
}

/** Variables a 3T service reads: loadConfig's own, its key overrides, and the HEALTHCHECK's port. */
const knownEnv = new Set([
  ...Object.keys(ENV_CONTROL),
  ...ENV_OVERRIDES.map((o) => o.env),
  'TT_HEALTH_PORT',
]);

describe('the native start (packages/cli/src/start/services.ts)', () => {
  it('runs every service folder, each from an existing entrypoint', () => {
    const entrypoints = natives.map((s) => s.entrypoint);
    expect(
      entrypoints.filter((e) => !existsSync(join(ROOT, e))),
      'missing entrypoints',
    ).toEqual([]);
    expect([...entrypoints].sort(), 'services/*/src/main.ts not started by 3t start').toEqual(
      serviceEntrypoints(),
    );
  });
});

describe('docker-compose.yml', () => {
  it('is accepted by docker-compose config and defines the whole stack', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [
        ...natives.map((s) => s.name),
        'alertmanager',
        'grafana',
        'jaeger',
        'mariadb',
        'mysqld-exporter',
        'prometheus',
        'redis',
        'redis-exporter',
        'secret-files',
        'sweep-worker',
      ].sort(),
    );
  });

  it('has a sweep-worker (3t worker) that only a profile starts, with no ports, scalable', () => {
    const svc = compose.services['sweep-worker'] as
      | ((typeof compose.services)[string] & { profiles?: string[] })
      | undefined;
    expect(svc?.command).toEqual(['node', 'dist/cli.mjs', 'worker']);
    expect(svc?.image).toBe('3t:latest');
    expect(svc?.profiles, 'not started by a plain docker-compose up').toEqual(['sweep']);
    expect(svc?.ports, 'no ports, so --scale cannot clash').toBeUndefined();
    expect(svc?.depends_on?.['redis']?.condition).toBe('service_healthy');
    expect(svc?.depends_on?.['mariadb']?.condition).toBe('service_healthy');
    expect(svc?.environment).toMatchObject({
      TT_REDIS_URL: 'redis://redis:6379',
      TT_MARIADB_HOST: 'mariadb',
    });
  });

  describe.each(natives)('$name', (native) => {
    const svc = compose.services[native.name];

    it('runs the pnpm build bundle of the entrypoint the native start runs, from the one image', () => {
      expect(svc?.command, `${native.name} command`).toEqual(['node', bundleOf(native.entrypoint)]);
      expect(native.command).toEqual(['node', '--import', 'tsx', native.entrypoint]);
      expect(svc?.image).toBe('3t:latest');
      expect(svc?.build, `${native.name} builds the Dockerfile`).toBeDefined();
    });

    it(`publishes telemetry.ports.${native.portKey} and health-checks it`, () => {
      expect(portPairs(svc?.ports), `${native.name} ports`).toEqual([
        { published: native.port, target: native.port },
      ]);
      expect(svc?.environment?.['TT_HEALTH_PORT']).toBe(String(native.port));
    });

    it('reaches the stack by compose host names and listens on every interface', () => {
      expect(svc?.environment).toMatchObject({
        TT_CONFIG: '/etc/3t/config.yml',
        TT_SECRETS: '/etc/3t/secrets.yml',
        TT_LISTEN_HOST: '0.0.0.0',
        TT_REDIS_URL: 'redis://redis:6379',
        TT_MARIADB_HOST: 'mariadb',
        TT_MARIADB_PORT: '3306',
        TT_OTLP_ENDPOINT: 'http://jaeger:4318',
      });
      for (const host of ['redis', 'mariadb', 'jaeger']) {
        expect(compose.services[host], `${host} is a compose service`).toBeDefined();
      }
    });

    it('has the environment the native start gives it, and only variables 3T reads', () => {
      expect(svc?.environment, `${native.name}: the env of its ServiceSpec`).toMatchObject(
        native.env,
      );
      const unknown = Object.keys(svc?.environment ?? {}).filter(
        (k) => !knownEnv.has(k) && !(k in native.env),
      );
      expect(unknown, `${native.name}: variables no part of 3T reads`).toEqual([]);
    });

    it('mounts config.yml and secrets.yml read-only and waits for healthy Redis and MariaDB', () => {
      const m = mounts(native.name);
      expect(
        m.some((v) => v.endsWith(':/etc/3t/config.yml:ro')),
        m.join(', '),
      ).toBe(true);
      expect(
        m.some((v) => v.endsWith(':/etc/3t/secrets.yml:ro')),
        m.join(', '),
      ).toBe(true);
      expect(svc?.depends_on?.['redis']?.condition).toBe('service_healthy');
      expect(svc?.depends_on?.['mariadb']?.condition).toBe('service_healthy');
      expect(svc?.restart).toBe('unless-stopped');
      expect(svc?.mem_limit, 'memory limit').toBeDefined();
      expect(svc?.cpus, 'cpu limit').toBeDefined();
    });
  });

  it('confirms live mode only when .env sets TT_CONFIRM_LIVE=yes', () => {
    const live = composeConfig({ TT_CONFIRM_LIVE: 'yes' });
    for (const { name } of natives) {
      expect(compose.services[name]?.environment?.['TT_CONFIRM_LIVE'], name).toBe('');
      expect(live.services[name]?.environment?.['TT_CONFIRM_LIVE'], name).toBe('yes');
    }
  });

  it('keeps queues across restarts: Redis with an append-only file on a volume, no eviction', () => {
    const redis = compose.services['redis'];
    expect(redis?.command?.join(' ')).toContain('--appendonly yes');
    expect(redis?.command?.join(' ')).toContain('--maxmemory-policy noeviction');
    expect(mounts('redis').some((v) => v.endsWith(':/data'))).toBe(true);
  });

  it('leaves the MariaDB schema to the services migrations (recorded), with the password from secrets.yml', () => {
    const m = mounts('mariadb');
    // the image's initdb would apply the migrations unrecorded, and the services' migrate would
    // then apply them again: an ALTER TABLE migration fails the second time
    expect(m.some((v) => v.endsWith(':/docker-entrypoint-initdb.d:ro'))).toBe(false);
    expect(m.some((v) => v.endsWith(':/var/lib/mysql'))).toBe(true);
    const env = compose.services['mariadb']?.environment ?? {};
    expect(env['MARIADB_ROOT_PASSWORD_FILE']).toBe('/run/3t-secrets/mariadb_password');
    expect(env['MARIADB_ROOT_PASSWORD'], 'no password written in the compose file').toBeUndefined();
    expect(compose.services['secret-files']?.command).toEqual([
      'node',
      'dist/write-secret-files.mjs',
      '/run/3t-secrets',
      '/etc/3t/alertmanager.yml',
    ]);
    expect(compose.services['mariadb']?.depends_on?.['secret-files']?.condition).toBe(
      'service_completed_successfully',
    );
  });

  it('serves Prometheus on :9090, Grafana on :3000 and Jaeger on :16686 with OTLP on :4318', () => {
    expect(portPairs(compose.services['prometheus']?.ports)).toContainEqual({
      published: 9090,
      target: 9090,
    });
    expect(mounts('prometheus').some((v) => v.endsWith('/prometheus:/etc/prometheus:ro'))).toBe(
      true,
    );
    expect(portPairs(compose.services['grafana']?.ports)).toContainEqual({
      published: 3000,
      target: 3000,
    });
    expect(
      mounts('grafana').some((v) =>
        v.endsWith('/grafana/provisioning:/etc/grafana/provisioning:ro'),
      ),
    ).toBe(true);
    expect(compose.services['grafana']?.environment?.['GF_SECURITY_ADMIN_PASSWORD__FILE']).toBe(
      '/run/3t-secrets/grafana_admin_password',
    );
    expect(compose.services['jaeger']?.image, 'Jaeger v2').toMatch(/^jaegertracing\/jaeger:2\./);
    const jaeger = portPairs(compose.services['jaeger']?.ports);
    expect(jaeger).toContainEqual({ published: 16686, target: 16686 });
    expect(jaeger).toContainEqual({ published: 4318, target: 4318 });
  });

  it('health-checks every long-running service that others wait for', () => {
    for (const name of ['redis', 'mariadb', 'prometheus', 'grafana']) {
      expect(compose.services[name]?.healthcheck?.test, `${name} healthcheck`).toBeDefined();
    }
    for (const [name, svc] of Object.entries(compose.services)) {
      if (name === 'secret-files') continue;
      expect(svc.restart, `${name} restart policy`).toBe('unless-stopped');
      expect(svc.mem_limit, `${name} memory limit`).toBeDefined();
    }
  });

  it('publishes every port on 127.0.0.1 by default; TT_PUBLISH_ADDR and TT_<NAME>_PORT move them', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const ip of hostIps(svc.ports)) expect(ip, `${name} published on`).toBe('127.0.0.1');
    }
    const moved = composeConfig({ TT_PUBLISH_ADDR: '0.0.0.0', TT_REDIS_PORT: '16379' });
    expect(hostIps(moved.services['grafana']?.ports)).toEqual(['0.0.0.0']);
    expect(portPairs(moved.services['redis']?.ports)).toEqual([{ published: 16379, target: 6379 }]);
    const file = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
    const literal = file.match(/^\s+- "?\d[^$\n]*:\d+"?$/gm) ?? [];
    expect(literal, 'published ports written without variables').toEqual([]);
  });

  it('runs Redis with a password from secrets.yml, and every client knows it', () => {
    const redis = compose.services['redis'];
    expect(redis?.command?.slice(0, 2)).toEqual(['redis-server', '/run/3t-secrets/redis.conf']);
    expect(mounts('redis')).toContain('secret-files:/run/3t-secrets:ro');
    expect(redis?.depends_on?.['secret-files']?.condition).toBe('service_completed_successfully');
    expect(redis?.healthcheck?.test?.join(' ')).toContain('REDISCLI_AUTH=');
    expect(compose.services['redis-exporter']?.command).toContain(
      '--redis.password-file=/run/3t-secrets/redis-exporter.json',
    );
  });

  it("gives Grafana's MariaDB data source the read-only grafana_reader, not root", () => {
    const grafana = compose.services['grafana'];
    expect(grafana?.environment?.['MARIADB_GRAFANA_USER']).toBe('grafana_reader');
    expect(grafana?.entrypoint?.join(' ')).toContain('/run/3t-secrets/grafana_mariadb_password');
    const datasources = parse(
      readFileSync(join(ROOT, 'grafana/provisioning/datasources/datasources.yml'), 'utf8'),
    ) as { datasources: { type: string; user?: string }[] };
    expect(datasources.datasources.find((d) => d.type === 'mysql')?.user).toBe(
      '$MARIADB_GRAFANA_USER',
    );
    expect(compose.services['mariadb']?.command).toContain(
      '--init-file=/run/3t-secrets/mariadb-init.sql',
    );
    const migration = readFileSync(
      join(ROOT, 'packages/runtime/migrations/009_grafana_reader.sql'),
      'utf8',
    );
    expect(migration).toContain("CREATE USER IF NOT EXISTS 'grafana_reader'@'%' ACCOUNT LOCK");
    expect(migration).toMatch(/GRANT SELECT ON `/);
  });

  it('routes alerts through Alertmanager to the receivers of secrets.yml', () => {
    const am = compose.services['alertmanager'];
    expect(am?.command).toContain('--config.file=/run/3t-secrets/alertmanager.yml');
    expect(am?.depends_on?.['secret-files']?.condition).toBe('service_completed_successfully');
    const prometheus = parse(readFileSync(join(ROOT, 'prometheus/prometheus.yml'), 'utf8')) as {
      alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    };
    expect(prometheus.alerting.alertmanagers[0]?.static_configs[0]?.targets).toEqual([
      'alertmanager:9093',
    ]);
  });

  it('pins every image, and deploy/base-images makes each one this machine cannot download', () => {
    const images = Object.values(compose.services).map((s) => s.image ?? '');
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const base = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
    expect(base).toBe('node:24-bookworm-slim');
    expect(dockerfile, 'no frontend fetched from a registry').not.toMatch(/^# syntax=/m);
    const third = [...new Set(images.filter((i) => i !== '3t:latest'))];
    for (const image of third) expect(image, 'pinned').toMatch(/:v?\d+\.\d+/);
    const made = execFileSync('bash', [join(ROOT, 'deploy/base-images/make.sh'), '--list'], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n');
    expect(
      [...third, base].filter((i) => !made.includes(i!)),
      'images without a stand-in',
    ).toEqual([]);
  });

  it("README's Docker section is what test/deploy/compose-up.sh runs", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Getting started on a server (Docker)'));
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const commands = block
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, '').trim())
      .filter((l) => l !== '' && !l.startsWith('$EDITOR'));
    expect(commands.length, 'commands in the README block').toBeGreaterThanOrEqual(4);
    // the script runs them under a project name of its own
    const script = readFileSync(join(ROOT, 'test/deploy/compose-up.sh'), 'utf8')
      .split('\n')
      .map((l) => l.trim().replace(' -p "$project"', ''));
    for (const c of commands) {
      expect(
        script.some((l) => l === c || l.startsWith(`${c} `)),
        `compose-up.sh runs: ${c}`,
      ).toBe(true);
    }
  });
});
