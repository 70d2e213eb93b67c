/**
 * The inspector panel of a demo page: the live time-space diagram of its group, its controls
 * (time window, filters, pause), what the pointer is over, and the network switch that cuts this
 * tab off to show a partition.
 */
import type { Group, Order } from '@synchrony/core';
import { epochNowMs } from '../shared/clock.js';
import { Disposer, h, must } from '../shared/dom.js';
import type { NetworkSwitch } from '../shared/network-switch.js';
import { DiagramPainter, ORDER_COLOURS, type Hovered } from './diagram.js';
import { InspectorFeed } from './feed.js';
import { History } from './history.js';
import { layOut, type DiagramFilter, type DiagramModel, type MessageTrace, type ViewMark } from './layout.js';

/** The diagram is drawn again this often while the panel is open and the tab visible. */
const REDRAW_MS = 100;
/** Until the history spans the chosen window, the time axis fits it, but never shows less than this. */
const MIN_SPAN_MS = 4000;
const WINDOWS_S = [60, 10, 2] as const;
const ORDER_NAMES: Record<Order, string> = { total: 'Total order', causal: 'Causal order', fifo: 'FIFO' };

/** What a page tells the panel. */
export interface InspectorOptions {
  readonly group: Group;
  readonly network: NetworkSwitch;
  /** This tab's display name, announced with its summaries. */
  myName(): string;
  /** Names of members the page knows (from its own presence), before their summaries arrive. */
  nameOf(member: string): string | undefined;
  /** What a replicated object's channel is, in words (`object:whiteboard:board` → "a stroke, undo or clear"). */
  describeChannel(channel: string | undefined): string;
  report(error: unknown): void;
}

/** What the tests and the status read of the diagram. */
export interface InspectorSummary {
  readonly lanes: number;
  readonly messages: number;
  /** Members whose deliveries the diagram shows (this tab's and those whose summaries arrived). */
  readonly membersWithDeliveries: number;
  readonly views: number;
  /** Where the newest arrow was drawn, in CSS px of the diagram's canvas (to point at it). */
  readonly newestArrow: { x: number; y: number } | undefined;
}

const shortId = (member: string): string => {
  const at = member.lastIndexOf('#');
  const process = at > 0 ? member.slice(0, at) : member;
  return `${process.slice(-4)}${at > 0 ? member.slice(at) : ''}`;
};

const clock = (t: number): string => {
  const d = new Date(t);
  return `${d.toLocaleTimeString(undefined, { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
};

export class InspectorPanel {
  private readonly history = new History();
  private readonly disposer = new Disposer();
  private readonly painter: DiagramPainter;
  private readonly canvas: HTMLCanvasElement;
  private readonly tooltip: HTMLElement;
  private readonly stats: HTMLElement;
  private readonly details: HTMLDetailsElement;
  private feed: InspectorFeed | undefined;
  private windowMs = 60_000;
  private pausedAt: number | undefined;
  private filter: { orders: Set<Order>; presence: boolean } = { orders: new Set(['total', 'causal', 'fifo']), presence: false };
  private hovered: Hovered | undefined;
  private model: DiagramModel | undefined;
  private dirty = true;

  private constructor(root: HTMLElement, private readonly options: InspectorOptions) {
    root.replaceChildren(this.build());
    this.canvas = must('canvas', HTMLCanvasElement, root);
    this.tooltip = must('.inspector-tooltip', HTMLElement, root);
    this.stats = must('[data-testid="inspector-stats"]', HTMLElement, root);
    this.details = must('details', HTMLDetailsElement, root);
    this.painter = new DiagramPainter(this.canvas, (member) => this.nameOf(member));
    this.wire(root);
  }

  /** Builds the panel in `root` and starts recording `options.group`: call before `group.join()`. */
  static async start(root: HTMLElement, options: InspectorOptions): Promise<InspectorPanel> {
    const panel = new InspectorPanel(root, options);
    panel.feed = await InspectorFeed.start(options.group, panel.history, options.myName, options.report);
    return panel;
  }

  /** The figures of the diagram as last laid out. */
  summary(): InspectorSummary {
    const model = this.model ?? this.layOut(epochNowMs());
    const members = new Set(model.messages.flatMap((m) => m.deliveries.map((d) => d.at)));
    return {
      lanes: model.lanes.length, messages: model.messages.length, membersWithDeliveries: members.size, views: model.views.length,
      newestArrow: this.painter.newestArrow(),
    };
  }

  dispose(): void {
    this.feed?.dispose();
    this.disposer.dispose();
  }

  private nameOf(member: string): string {
    const name = this.history.names.get(member) ?? this.options.nameOf(member);
    return name === undefined ? shortId(member) : `${name} ${member.slice(member.lastIndexOf('#'))}`;
  }

  private build(): HTMLElement {
    const orderBoxes = (['total', 'causal', 'fifo'] as const).map((order) =>
      h('label', { class: 'check' },
        h('input', { type: 'checkbox', name: 'order', value: order, checked: true }),
        h('span', { class: 'key', style: `background:${ORDER_COLOURS[order]}`, 'aria-hidden': 'true' }),
        ORDER_NAMES[order]));
    return h('details', { class: 'inspector', open: true },
      h('summary', {}, h('span', { class: 'inspector-title' }, 'Inspector'), ' · the group as a time-space diagram'),
      h('div', { class: 'inspector-controls' },
        h('label', {}, 'Time window ',
          h('select', { name: 'window' }, ...WINDOWS_S.map((s) => h('option', { value: s * 1000, selected: s === 60 }, `last ${s} s`)))),
        ...orderBoxes,
        h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'presence' }), 'Presence (cursors, positions)'),
        h('button', { type: 'button', class: 'secondary', 'data-pause': true, 'aria-pressed': 'false' }, 'Pause'),
        h('label', { class: 'check network-switch' },
          h('input', { type: 'checkbox', name: 'cut', 'data-testid': 'network-cut' }),
          'Cut this tab off the network')),
      h('div', { class: 'inspector-plot' },
        h('canvas', { role: 'img', 'aria-label': 'Time-space diagram of the group', 'data-testid': 'inspector' }),
        h('div', { class: 'inspector-tooltip', role: 'status', hidden: true })),
      h('p', { class: 'inspector-stats', 'data-testid': 'inspector-stats' }),
      h('p', { class: 'inspector-note' },
        'One line per member, oldest first; each multicast is an arrow from its sender to every member that delivered it ',
        '(the library reports deliveries, not sends: arrows start at the first delivery anywhere); ',
        h('span', { style: `color:${'#d97706'};font-weight:600` }, 'orange bars'), ' are new views; ',
        h('span', { style: 'color:#dc2626;font-weight:600' }, 'red dashes'), ' a member cut off from the majority. ',
        'Each tab shares a summary of its deliveries every 250 ms (that traffic is not drawn). ',
        'Times are each tab\'s clock: exact between tabs of one machine, approximate across machines. ',
        'Cutting this tab off drops its peer-to-peer traffic both ways, as a broken network would.'));
  }

  private wire(root: HTMLElement): void {
    const d = this.disposer;
    const select = must('select[name="window"]', HTMLSelectElement, root);
    d.listen(select, 'change', () => {
      this.windowMs = Number(select.value);
      this.dirty = true;
    });
    for (const box of root.querySelectorAll<HTMLInputElement>('input[name="order"]')) {
      d.listen(box, 'change', () => {
        if (box.checked) this.filter.orders.add(box.value as Order);
        else this.filter.orders.delete(box.value as Order);
        this.dirty = true;
      });
    }
    const presence = must('input[name="presence"]', HTMLInputElement, root);
    d.listen(presence, 'change', () => {
      this.filter.presence = presence.checked;
      this.dirty = true;
    });
    const pause = must('[data-pause]', HTMLButtonElement, root);
    d.listen(pause, 'click', () => {
      this.pausedAt = this.pausedAt === undefined ? epochNowMs() : undefined;
      pause.setAttribute('aria-pressed', String(this.pausedAt !== undefined));
      pause.textContent = this.pausedAt === undefined ? 'Pause' : 'Resume';
      this.dirty = true;
    });
    const cut = must('input[name="cut"]', HTMLInputElement, root);
    d.listen(cut, 'change', () => this.options.network.set(cut.checked));
    d.add(this.options.network.onChange((isCut) => {
      cut.checked = isCut;
    }));
    d.listen<PointerEvent>(this.canvas, 'pointermove', (event) => this.hover(event));
    d.listen(this.canvas, 'pointerleave', () => this.hover(undefined));
    d.every(REDRAW_MS, () => this.tick());
    d.every(1000, () => this.history.prune(epochNowMs()));
  }

  /**
   * The time span shown, ending now (or when paused): the chosen window, or less while the history
   * is younger than it, so a fresh group is not a sliver at the right edge; then it scrolls.
   */
  private span(now: number): { from: number; to: number } {
    const to = this.pausedAt ?? now;
    const age = to - (this.history.oldest ?? to) + 500;
    return { from: to - Math.min(this.windowMs, Math.max(MIN_SPAN_MS, age)), to };
  }

  private layOut(now: number): DiagramModel {
    const { from, to } = this.span(now);
    const filter: DiagramFilter = this.filter;
    return layOut(this.history, from, to, filter);
  }

  private tick(): void {
    if (!this.details.open || document.visibilityState !== 'visible') return;
    // Time moves on: while live, redraw every tick; paused, only when something changed.
    if (this.pausedAt !== undefined && !this.dirty && !this.history.takeChanged()) return;
    this.dirty = false;
    this.history.takeChanged();
    this.draw();
  }

  private draw(): void {
    const now = epochNowMs();
    const { from, to } = this.span(now);
    this.model = this.layOut(now);
    const width = this.canvas.parentElement?.clientWidth ?? 600;
    const lit = this.hovered?.kind === 'message' ? this.hovered.message.key : undefined;
    this.painter.paint(this.model, from, to, width, lit);
    const { lanes, messages, hidden } = this.model;
    const line = `${lanes.length} member line${lanes.length === 1 ? '' : 's'} · ${messages.length} message${messages.length === 1 ? '' : 's'} in the last ${Math.round((to - from) / 1000)} s`
      + (hidden > 0 ? ` · ${hidden} hidden by the filters` : '') + (this.pausedAt !== undefined ? ' · paused' : '');
    if (this.stats.textContent !== line) this.stats.textContent = line;
    this.canvas.setAttribute('aria-label', `Time-space diagram of the group: ${line}`);
  }

  private hover(event: PointerEvent | undefined): void {
    if (event === undefined) {
      this.hovered = undefined;
      this.tooltip.hidden = true;
      this.dirty = true;
      return;
    }
    const box = this.canvas.getBoundingClientRect();
    const px = event.clientX - box.left;
    const py = event.clientY - box.top;
    this.hovered = this.painter.hitTest(px, py);
    this.dirty = true;
    if (this.hovered === undefined) {
      this.tooltip.hidden = true;
      return;
    }
    this.tooltip.replaceChildren(...(this.hovered.kind === 'message' ? this.describeMessage(this.hovered.message) : this.describeView(this.hovered.view)));
    this.tooltip.hidden = false;
    // Beside the pointer, kept inside the diagram: to its left when there is no room on its right,
    // above it when there is none below, so it never hides what it describes.
    const right = px + 14 + this.tooltip.offsetWidth <= box.width;
    const below = py + 14 + this.tooltip.offsetHeight <= box.height;
    this.tooltip.style.left = `${Math.max(4, right ? px + 14 : px - 14 - this.tooltip.offsetWidth)}px`;
    this.tooltip.style.top = `${below ? py + 14 : Math.max(0, py - 10 - this.tooltip.offsetHeight)}px`;
    if (this.pausedAt !== undefined) this.draw();
  }

  private describeMessage(message: MessageTrace): Node[] {
    const rank = message.deliveries.find((d) => d.rank !== undefined)?.rank;
    const position = message.order === 'total' && rank !== undefined
      ? `position ${rank} in the view's total order`
      : `position ${message.seq} in its sender's stream`;
    const rows = [...message.deliveries].sort((a, b) => a.t - b.t).map((d) =>
      h('li', {}, `${this.nameOf(d.at)}: ${clock(d.t)} (+${(d.t - message.t0).toFixed(1)} ms), delivery ${d.index} of the view there`));
    return [
      h('strong', {}, `${ORDER_NAMES[message.order]} · view ${message.viewId} · ${position}`),
      h('div', {}, `${this.options.describeChannel(message.channel)}, from ${this.nameOf(message.sender)} (its message ${message.seq} in this view)`),
      h('ul', {}, ...rows),
    ];
  }

  private describeView(view: ViewMark): Node[] {
    return [
      h('strong', {}, `View ${view.id} · installed ${clock(view.t)}`),
      h('div', {}, `${view.members.length} member${view.members.length === 1 ? '' : 's'}, by seniority (the first coordinates):`),
      h('ol', {}, ...view.members.map((m) => h('li', {}, this.nameOf(m)))),
    ];
  }
}
