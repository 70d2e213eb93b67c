/**
 * examples/esm-counter: the counter as ES modules, `import { connect, Counter } from 'synchrony'`,
 * built by Vite with no config at all (no alias, no define, no polyfill: what `npx vite build`
 * does in that folder), then served and clicked in three Chromium tabs and a late fourth, over
 * real WebRTC. Needs `tsc -b` (the packages' dist/) and isolated-net.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ServedPages } from '../../e2e/test/served-pages.js';
import { withTimeout } from '../../e2e/test/with-timeout.js';
import { clickInThreeTabs } from './counter-pages.js';

const ROOT = fileURLToPath(new URL('../esm-counter', import.meta.url));

let pages: ServedPages | undefined;

beforeAll(async () => {
  // configFile: false, as the folder has none; the defaults put the page in esm-counter/dist.
  await withTimeout(build({ root: ROOT, configFile: false, logLevel: 'warn' }), 20_000, 'vite build of examples/esm-counter');
  pages = await ServedPages.start(`${ROOT}/dist`);
}, 45_000);

afterAll(async () => {
  await pages?.close();
}, 30_000);

describe('examples/esm-counter', () => {
  it('builds with a plain Vite, counts the clicks of every tab in every tab, and a late tab starts from the count', async () => {
    await clickInThreeTabs(pages!);
  });
});
