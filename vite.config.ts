/**
 * One Vite config for the repository: Vitest runs every package's tests from here. The
 * library packages are built with `tsc -b` first (npm test does it), so workspace imports
 * resolve to their built `dist/`.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/test/**/*.test.ts', 'signaling-server/test/**/*.test.ts', 'e2e/test/**/*.test.ts', 'examples/test/**/*.test.ts',
      'demo-app/test/**/*.test.ts', 'soak/test/**/*.test.ts', 'bench/test/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
