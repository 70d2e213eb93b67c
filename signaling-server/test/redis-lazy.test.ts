/**
 * A standalone server never loads the Redis client: the cluster module is imported only when the
 * `redis` option is given. Checked on the build, in a fresh Node process with a resolve hook.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisServerProcess } from '../src/testing/index.js';

const ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/loaded-modules.mjs', import.meta.url));

async function redisModulesLoaded(redisUrl?: string): Promise<string[]> {
  if (!existsSync(ENTRY)) throw new Error(`no ${ENTRY}: run npm run build first`);
  const { stdout } = await promisify(execFile)(process.execPath, [FIXTURE, ENTRY, ...(redisUrl === undefined ? [] : [redisUrl])], { timeout: 15_000 });
  return JSON.parse(stdout) as string[];
}

describe('the Redis client is loaded lazily', () => {
  let redis: RedisServerProcess;
  beforeAll(async () => {
    redis = await RedisServerProcess.start();
  });
  afterAll(() => redis.stop());

  it('is not loaded by a standalone server', async () => {
    expect(await redisModulesLoaded()).toEqual([]);
  });

  it('is loaded by a server given redis (the check can see it)', async () => {
    const loaded = await redisModulesLoaded(redis.url);
    expect(loaded.some((url) => url.includes('/@redis/client/'))).toBe(true);
    expect(loaded.some((url) => url.endsWith('/cluster/redis-directory.js'))).toBe(true);
  });
});
