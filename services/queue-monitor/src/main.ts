// queue-monitor: Bull Board for every 3T queue. Run: node --import tsx services/queue-monitor/src/main.ts
import { ConfigError, createLogger, installGracefulShutdown } from '@3t/runtime';
import { startQueueMonitor } from './start-queue-monitor';

const logger = createLogger({ name: 'queue-monitor' });
// installed before start-up: a parent (3t start) that dies while Bull Board starts, or a signal
// then, must still stop this process
const shutdown = installGracefulShutdown({ logger });
try {
  const monitor = await startQueueMonitor({ logger });
  shutdown.add('http', () => monitor.close());
} catch (err) {
  // Start-up problems (config, missing password, Redis down) are the operator's to fix: say
  // what and exit non-zero without a stack trace.
  const message = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
