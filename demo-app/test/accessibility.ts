/**
 * Every control has a label: asked of Chromium's own accessibility tree (CDP
 * `Accessibility.getFullAXTree`), so the names checked are the ones a screen reader announces,
 * computed by the browser from labels, `aria-label`s and text.
 */
import type { DemoPage } from './demo-page.js';
import type { Page } from 'playwright-core';

/** Roles a person operates: each needs a name. */
const CONTROLS = new Set(['button', 'checkbox', 'radio', 'textbox', 'combobox', 'link', 'slider', 'spinbutton', 'application', 'searchbox']);

interface AxNode {
  readonly ignored?: boolean;
  readonly role?: { readonly value?: string };
  readonly name?: { readonly value?: string };
}

/** The controls of the page that have no accessible name, as `role` strings (empty when all are named). */
export async function unlabelledControls(target: DemoPage | Page): Promise<string[]> {
  const page = 'page' in target ? target.page : target;
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: AxNode[] };
    return nodes
      .filter((n) => n.ignored !== true && CONTROLS.has(n.role?.value ?? ''))
      .filter((n) => (n.name?.value ?? '').trim().length === 0)
      .map((n) => n.role?.value ?? '?');
  } finally {
    await cdp.detach();
  }
}

/** The names of the page's controls of `role`, for a readable assertion. */
export async function controlNames(target: DemoPage | Page, role: string): Promise<string[]> {
  const page = 'page' in target ? target.page : target;
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: AxNode[] };
    return nodes.filter((n) => n.ignored !== true && n.role?.value === role).map((n) => n.name?.value ?? '');
  } finally {
    await cdp.detach();
  }
}
