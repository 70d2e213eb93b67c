/**
 * What both demos show of their group: who is here (the current view: its id, its members in
 * order of seniority, the coordinator first), a banner while this tab is cut off from the majority
 * (a non-primary view) and when it is back, and how to invite others.
 */
import type { View } from '@synchrony/core';
import { h, must } from './dom.js';
import { colourOf } from './names.js';

/** How long the "back in the group" notice stays. */
const BACK_NOTICE_MS = 5000;

/** Copies `text`; resolves true when it reached the clipboard. */
export async function copyText(text: string, fallbackInput?: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard API outside secure contexts (a LAN address over http): select it for the person.
    fallbackInput?.focus();
    fallbackInput?.select();
    return false;
  }
}

/** Wires an invite box: `[data-invite-link]` input and `[data-copy-link]` button under `root`. */
export function wireInvite(root: ParentNode, link: string): void {
  const input = must('[data-invite-link]', HTMLInputElement, root);
  const button = must('[data-copy-link]', HTMLButtonElement, root);
  input.value = link;
  const label = button.textContent ?? 'Copy link';
  let reset: ReturnType<typeof setTimeout> | undefined;
  button.addEventListener('click', () => {
    void copyText(input.value, input).then((copied) => {
      button.textContent = copied ? 'Copied' : 'Press Ctrl+C';
      clearTimeout(reset);
      reset = setTimeout(() => (button.textContent = label), 1800);
    });
  });
}

/** The members panel, the alone hint and the partition banner of a page. */
export class GroupStatusView {
  /** While cut off: the member id this tab had when it was cut off. */
  private cutAs: string | undefined;
  private backTimer: ReturnType<typeof setTimeout> | undefined;
  private last: View | undefined;
  private readonly viewLine = must('[data-testid="view-line"]', HTMLElement);
  private readonly list = must('[data-testid="members"]', HTMLUListElement);
  private readonly alone = must('[data-alone]', HTMLElement);
  private readonly banner = must('[data-testid="partition-banner"]', HTMLElement);

  constructor(
    /** This page's member id now (it changes when the tab rejoins after a cut). */
    private readonly me: () => string,
    /** A display name for a member id. */
    private readonly nameOf: (member: string) => string,
    /** Its colour, as its cursor or avatar shows it. */
    private readonly colourFor: (member: string) => string = colourOf,
  ) {}

  /** Shows a newly installed view. */
  showView(view: View): void {
    this.last = view;
    this.render();
    if (!view.primary) this.showCutOff(view);
    else if (this.cutAs !== undefined) this.showBack(view);
  }

  /** Names may arrive after the view (presence): draws the list again. */
  render(): void {
    const view = this.last;
    if (view === undefined) return;
    const me = this.me();
    const coordinator = view.members[0];
    const count = `${view.members.length} member${view.members.length === 1 ? '' : 's'}`;
    this.viewLine.textContent = view.primary
      ? `View ${view.id} · ${count} · coordinator: ${coordinator === undefined ? '-' : this.nameOf(coordinator)}`
      : `Cut off · last view ${view.id} · ${count} reachable`;
    this.list.replaceChildren(...view.members.map((member, rank) => {
      const item = h('li', { 'data-member': member },
        h('span', { class: 'swatch', style: `background:${this.colourFor(member)}`, 'aria-hidden': 'true' }),
        h('span', { class: 'member-name' }, this.nameOf(member)));
      if (rank === 0) item.append(h('span', { class: 'badge', title: 'the most senior member: it orders the total-order messages and leads view changes' }, 'coordinator'));
      if (member === me) item.append(h('span', { class: 'badge badge-you' }, 'you'));
      return item;
    }));
    this.alone.hidden = !(view.primary && view.members.length === 1);
  }

  private showCutOff(view: View): void {
    clearTimeout(this.backTimer);
    this.cutAs ??= this.me();
    this.banner.hidden = false;
    this.banner.className = 'banner banner-cut';
    this.banner.setAttribute('role', 'alert');
    this.banner.dataset.state = 'cut';
    const reload = h('button', { type: 'button', class: 'secondary' }, 'Reload this tab');
    reload.addEventListener('click', () => window.location.reload());
    this.banner.replaceChildren(
      h('strong', {}, 'This tab is cut off from the majority of the group. '),
      `Changes are paused here (view ${view.id} is no longer primary); the others carry on without it. `
      + 'It catches up by itself once the connection is back. ',
      h('span', { class: 'banner-more' },
        'If the other tabs were closed rather than cut off, this tab cannot tell the difference: ',
        reload, ' to join whoever is left, or to start the room again from what this device kept.'),
    );
  }

  private showBack(view: View): void {
    const rejoined = this.cutAs !== this.me();
    this.cutAs = undefined;
    this.banner.hidden = false;
    this.banner.className = 'banner banner-back';
    this.banner.setAttribute('role', 'status');
    this.banner.dataset.state = 'back';
    this.banner.replaceChildren(
      h('strong', {}, 'Back in the group. '),
      rejoined
        ? `This tab rejoined as a new member in view ${view.id} and caught up, by state transfer, with what the others did meanwhile.`
        : `The connection came back before the group went on without this tab: view ${view.id}, nothing missed.`,
    );
    clearTimeout(this.backTimer);
    this.backTimer = setTimeout(() => {
      this.banner.hidden = true;
      this.banner.dataset.state = 'ok';
    }, BACK_NOTICE_MS);
  }
}
