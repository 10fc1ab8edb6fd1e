import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  checkMariaDb,
  checkRedis,
  type LoadedConfig,
  mariadbOptions,
  migrate,
  UnreachableError,
} from '@3t/runtime';
import { CliError } from '../cli-error';
import type { CliIo } from '../io';
import { formatLogLine } from './format-log-line';
import { SERVICES, type ServiceSpec, serviceArgs } from './services';
import { startNotes } from './start-notes';

export interface StartOptions {
  /** Repo root: services run from there (relative paths such as feed.replay_dir resolve there). */
  readonly root: string;
  readonly loaded: LoadedConfig;
  readonly confirmLive?: boolean;
  /** Resolves when the stack should stop (default: SIGINT or SIGTERM). */
  readonly stopSignal?: Promise<string>;
}

/**
 * SIGINT, SIGTERM or SIGHUP, or the parent (`pnpm start`, a shell) gone: whoever started us
 * expects the whole stack to stop with it.
 */
function signalled(): Promise<string> {
  return new Promise((res) => {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => res(sig));
    const parent = process.ppid;
    const watch = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(watch);
      res(`parent process ${parent} exited`);
    }, 1000);
    watch.unref();
  });
}

/** Fails with the address that did not answer and how to start one. */
export async function reachServers(loaded: LoadedConfig): Promise<void> {
  const { config, secrets } = loaded;
  try {
    await checkRedis(config.redis.url, secrets.redis.password ?? undefined);
    await checkMariaDb(mariadbOptions(config, secrets));
  } catch (e) {
    if (e instanceof UnreachableError) throw new CliError(e.message);
    throw e;
  }
}

/**
 * `3t start`: checks Redis and MariaDB, migrates once, then runs every enabled service of
 * SERVICES as a child process (`node --import tsx <entrypoint>`) with one combined, prefixed
 * log. Stops them all (SIGTERM, each finishes its running job) on SIGINT/SIGTERM and resolves
 * with exit code 0; if a service dies on its own, stops the others and resolves 1.
 */
export async function runStart(options: StartOptions, io: CliIo): Promise<number> {
  const { loaded, root } = options;
  const { config, secrets } = loaded;
  await reachServers(loaded);
  const migrated = await migrate(mariadbOptions(config, secrets));
  io.err(
    `3t start: mode ${config.mode}, feed ${config.feed.source}${config.feed.source === 'replay' ? ` (${config.feed.replay_dir}, speed ${config.feed.replay_speed})` : ''}, Redis ${config.redis.url.replace(/\/\/[^@]*@/, '//')}, MariaDB ${config.mariadb.host}:${config.mariadb.port}/${config.mariadb.database} (schema ${migrated.version})\n`,
  );
  for (const note of startNotes(config)) io.err(`${note}\n`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...io.env,
    // each service shuts down when this process is gone, however it ended (even SIGKILL)
    TT_PARENT_PID: String(process.pid),
    // this process warned already if secrets.yml is readable by others
    TT_SECRETS_MODE_WARNED: 'yes',
    TT_CONFIG: loaded.configPath,
    ...(loaded.secretsPath ? { TT_SECRETS: loaded.secretsPath } : {}),
    ...(options.confirmLive ? { TT_CONFIRM_LIVE: 'yes' } : {}),
  };
  const specs = SERVICES.filter((s) => s.enabled(config, secrets));
  for (const s of SERVICES.filter((x) => !specs.includes(x))) {
    const why = s.skippedBecause?.(config, secrets) ?? 'disabled by the configuration';
    io.err(`3t start: ${s.name} not started: ${why}\n`);
  }
  const children = new Map<string, ChildProcess>();
  let stopping = false;
  let failed = false;
  const exits: Promise<void>[] = [];
  let onUnexpected: (name: string) => void = () => {};

  const launch = (spec: ServiceSpec) => {
    const child = spawn(process.execPath, serviceArgs(spec), {
      cwd: root,
      env: { ...env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: Ctrl-C reaches only `3t start`, which sends each service one SIGTERM
      // (a service takes a second signal as "exit now").
      detached: true,
    });
    children.set(spec.name, child);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        io.out(`${formatLogLine(spec.name, line)}\n`);
      });
    }
    exits.push(
      new Promise((res) => {
        child.on('exit', (code, signal) => {
          // Ctrl-C in a terminal signals the whole process group: a child may finish its own
          // graceful stop (exit 0) a moment before we see the signal ourselves.
          const clean = code === 0;
          if (!clean) {
            failed = true;
            io.err(
              `3t start: ${spec.name} exited (${signal ?? `code ${code}`}) — port telemetry.ports.${spec.portKey} = ${config.telemetry.ports[spec.portKey]}\n`,
            );
          }
          if (!stopping) onUnexpected(spec.name);
          res();
        });
      }),
    );
  };

  for (const spec of specs) launch(spec);
  io.err(`3t start: started ${specs.map((s) => s.name).join(', ')}; Ctrl-C stops everything\n`);
  const died = new Promise<string>((res) => {
    onUnexpected = res;
  });
  const why = await Promise.race([options.stopSignal ?? signalled(), died]);
  stopping = true;
  io.err(`3t start: stopping (${why})\n`);
  for (const child of children.values()) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
  await Promise.all(exits);
  io.err(`3t start: all services stopped\n`);
  return failed ? 1 : 0;
}
