export { basicAuth, type Credentials, parseBasicAuth } from './basic-auth';
export { bullBoardCredentials } from './bull-board-credentials';
export {
  createLoginThrottle,
  type LoginThrottle,
  type LoginThrottleOptions,
} from './login-throttle';
export { createQueueMonitorApp, type QueueMonitorAppOptions } from './queue-monitor-app';
export {
  monitoredQueueNames,
  type QueueMonitor,
  type StartQueueMonitorOptions,
  startQueueMonitor,
} from './start-queue-monitor';
