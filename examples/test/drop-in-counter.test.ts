/**
 * examples/drop-in-counter: the HTML page with the drop-in script, served as a user would serve it
 * (the page and dist/synchrony.iife.js side by side, by `synchrony-signaling --static`), in three
 * Chromium tabs and a late fourth, over real WebRTC. Needs `npm run build` and isolated-net.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ServedPages } from '../../e2e/test/served-pages.js';
import { iifePath } from '../../packages/synchrony/test/iife-file.js';
import { clickInThreeTabs } from './counter-pages.js';

const PAGE = fileURLToPath(new URL('../drop-in-counter/index.html', import.meta.url));

let pages: ServedPages | undefined;
let folder = '';

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'synchrony-drop-in-'));
  await copyFile(PAGE, join(folder, 'index.html'));
  await copyFile(iifePath(), join(folder, 'synchrony.iife.js'));
  pages = await ServedPages.start(folder);
}, 30_000);

afterAll(async () => {
  await pages?.close();
  if (folder !== '') await rm(folder, { recursive: true, force: true });
}, 30_000);

describe('examples/drop-in-counter', () => {
  it('counts the clicks of every tab in every tab, and a late tab starts from the count', async () => {
    await clickInThreeTabs(pages!);
  });
});
