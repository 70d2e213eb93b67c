#!/usr/bin/env node
/**
 * `synchrony-signaling --port 8787 [--host 127.0.0.1] [--secret S] [--static DIR] [--redis URL]`
 *
 * Prints the WebSocket URL alone on stdout (so scripts can read it) and everything else on
 * stderr. The secret may also come from SYNCHRONY_SIGNALING_SECRET, which, unlike an
 * argument, does not show in the process list.
 */

import { parseArgs } from 'node:util';
import { redacted } from './options.js';
import { startSignalingServer } from './server.js';

const USAGE = `usage: synchrony-signaling [--port 8787] [--host 127.0.0.1] [--secret S] [--static DIR] [--redis URL]

  --port             TCP port, 0 for any free port (default 8787)
  --host             interface to listen on (default 127.0.0.1; 0.0.0.0 to expose it)
  --secret           require tokens signed with this secret (or set SYNCHRONY_SIGNALING_SECRET)
  --static           serve this folder on the same port (e.g. the built demo)
  --redis            share rooms with the other servers on this Redis, e.g. redis://127.0.0.1:6379
                     (or set SYNCHRONY_SIGNALING_REDIS, which keeps a password out of the process list)
  --redis-prefix     keys and channels of this cluster (default synchrony:)
  --presence-ttl-ms  a dead server's peers leave discovery after this long (default 3000)
  --limit NAME=N     override one limit of DEFAULT_LIMITS, e.g. --limit socketsPerAddress=256 (repeatable)
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      secret: { type: 'string' },
      static: { type: 'string' },
      redis: { type: 'string' },
      'redis-prefix': { type: 'string' },
      'presence-ttl-ms': { type: 'string' },
      limit: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) throw new Error(`--port must be an integer in 0..65535, got ${values.port}`);
  const secret = values.secret ?? (process.env.SYNCHRONY_SIGNALING_SECRET || undefined);
  const redisUrl = values.redis ?? (process.env.SYNCHRONY_SIGNALING_REDIS || undefined);
  const ttl = values['presence-ttl-ms'];
  if (ttl !== undefined && !/^\d+$/.test(ttl)) throw new Error(`--presence-ttl-ms must be an integer, got ${ttl}`);
  const redis = redisUrl === undefined ? undefined : { url: redisUrl, ...(values['redis-prefix'] === undefined ? {} : { prefix: values['redis-prefix'] }), ...(ttl === undefined ? {} : { presenceTtlMs: Number(ttl) }) };
  const limits: Record<string, number> = {};
  for (const pair of values.limit ?? []) {
    const match = /^(\w+)=(\d+)$/.exec(pair);
    if (match === null) throw new Error(`--limit takes NAME=N, got ${pair}`);
    limits[match[1]!] = Number(match[2]);
  }
  const server = await startSignalingServer({ port, host: values.host, secret, staticDir: values.static, limits, ...(redis === undefined ? {} : { redis }) });
  process.stdout.write(`${server.url}\n`);
  const mode = redis === undefined ? '' : `, in a cluster on ${redacted(redis.url)}`;
  process.stderr.write(`synchrony-signaling: listening on ${server.url}${secret === undefined ? ' (open: no secret)' : ' (tokens required)'}${values.static === undefined ? '' : `, serving ${values.static}`}${mode}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`synchrony-signaling: ${signal}, closing\n`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`synchrony-signaling: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`synchrony-signaling: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(1);
});
