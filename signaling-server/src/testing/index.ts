/**
 * `@synchrony/signaling-server/testing`: real components for tests and benchmarks of a cluster —
 * a throwaway redis-server, and a signaling server in a process of its own that can be killed.
 */

export { RedisServerProcess, REDIS_SERVER_PATH, freePort } from './redis-server.js';
export { SignalingProcess, SIGNALING_CLI_PATH, type SignalingProcessOptions } from './signaling-process.js';
