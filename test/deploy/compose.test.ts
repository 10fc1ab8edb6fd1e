import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_CONTROL, ENV_OVERRIDES } from '@3t/runtime';
import { describe, expect, it } from 'vitest';
import { composeConfig, nativeServices, ROOT, serviceCommand, serviceEntrypoints } from './stack';

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
        'grafana',
        'jaeger',
        'mariadb',
        'mysqld-exporter',
        'prometheus',
        'redis',
        'redis-exporter',
        'secret-files',
      ].sort(),
    );
  });

  describe.each(natives)('$name', (native) => {
    const svc = compose.services[native.name];

    it('runs the same command as the native start, from the one image', () => {
      expect(svc?.command, `${native.name} command`).toEqual(native.command);
      expect(native.command).toEqual(serviceCommand(native.entrypoint));
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

  it('creates the MariaDB schema from the migrations with the password from secrets.yml', () => {
    const m = mounts('mariadb');
    expect(
      m.some((v) => v.endsWith('packages/runtime/migrations:/docker-entrypoint-initdb.d:ro')),
    ).toBe(true);
    expect(m.some((v) => v.endsWith(':/var/lib/mysql'))).toBe(true);
    const env = compose.services['mariadb']?.environment ?? {};
    expect(env['MARIADB_ROOT_PASSWORD_FILE']).toBe('/run/3t-secrets/mariadb_password');
    expect(env['MARIADB_ROOT_PASSWORD'], 'no password written in the compose file').toBeUndefined();
    expect(compose.services['secret-files']?.command).toEqual(
      serviceCommand('deploy/write-secret-files.ts').concat('/run/3t-secrets'),
    );
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
});
