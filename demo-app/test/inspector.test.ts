/**
 * The inspector's model, without a browser: the bounded history, the summaries members share (and
 * what a broken or hostile peer's summary does: nothing), and the layout of the diagram.
 */
import { describe, expect, it } from 'vitest';
import { decodeSummary, encodeSummary } from '../src/inspector/feed.js';
import { History, HISTORY_MS, MAX_DELIVERIES, type DeliveryRecord, type ViewRecord } from '../src/inspector/history.js';
import { layOut, type DiagramFilter } from '../src/inspector/layout.js';

const ALL: DiagramFilter = { orders: new Set(['total', 'causal', 'fifo']), presence: true };
const T0 = 1_700_000_000_000;

function delivery(at: string, sender: string, seq: number, t: number, extra: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return { at, sender, viewId: 1, seq, index: seq, rank: seq, order: 'total', channel: 'object:whiteboard:board', t, ...extra };
}

function view(at: string, id: number, members: string[], t: number, primary = true): ViewRecord {
  return { at, id, members, primary, t };
}

describe('inspector history', () => {
  it('keeps one record per delivery, drops what is older than the history and what is beyond its bound', () => {
    const history = new History();
    history.addDelivery(delivery('a', 'a', 1, T0));
    history.addDelivery(delivery('a', 'a', 1, T0)); // the same delivery, from an overlapping summary
    history.addDelivery(delivery('b', 'a', 1, T0 + 2));
    expect(history.deliveries).toHaveLength(2);
    history.prune(T0 + HISTORY_MS + 1);
    expect(history.deliveries.map((d) => d.at)).toEqual(['b']);

    for (let i = 0; i < MAX_DELIVERIES + 10; i += 1) history.addDelivery(delivery('c', 'c', i, T0 + HISTORY_MS + i / 1000));
    history.prune(T0 + HISTORY_MS + 100);
    expect(history.deliveries).toHaveLength(MAX_DELIVERIES);
    expect(history.deliveries.at(-1)!.seq).toBe(MAX_DELIVERIES + 9); // the most recent are kept
  });
});

describe('inspector summaries', () => {
  it('carry deliveries and views from one member to another (times to a tenth of a millisecond)', () => {
    const deliveries = [delivery('a#1', 'b#1', 4, T0 + 1.5), delivery('a#1', 'a#1', 2, T0 + 3, { order: 'fifo', rank: undefined, channel: 'presence:cursors' })];
    const views = [view('a#1', 3, ['a#1', 'b#1'], T0)];
    const into = new History();
    decodeSummary(encodeSummary('Calm Otter', deliveries, views), into, 'a#1');
    expect(into.deliveries).toEqual(deliveries);
    expect(into.views).toEqual(views);
    expect(into.names.get('a#1')).toBe('Calm Otter');
  });

  it('skip whatever is malformed, and never throw', () => {
    const into = new History();
    const good = encodeSummary('x', [delivery('a', 'a', 1, T0)], [view('a', 1, ['a'], T0)]);
    const noDeliveries = { ...good, d: [] };
    for (const bad of [null, 7, 'text', [], { b: 'no' }, { ...good, s: [1, 2] }, { ...good, b: 'later' },
      { ...good, d: [0, 0, 'view', 1, 1, 1, 2, -1, 0], v: [] }, { ...good, d: [99, 0, 1, 1, 1, 1, 2, -1, 0], v: [] },
      { ...good, d: [0, 0, 1, 1, 1, 1, 7, -1, 0], v: [] }, { ...noDeliveries, v: [[0, 'x'], 'row', [5, 1, 1, 0], [0, 1, 1, 0, 42]] }]) {
      expect(() => decodeSummary(bad, into, 'm')).not.toThrow();
    }
    expect(into.deliveries).toEqual([]);
    expect(into.views).toEqual([]);
  });
});

describe('inspector layout', () => {
  it('draws one lane per member, by seniority, a message from its first delivery, and a departed member up to its exclusion', () => {
    const history = new History();
    history.addView(view('a', 1, ['a', 'b', 'c'], T0));
    history.addView(view('b', 1, ['a', 'b', 'c'], T0 + 1));
    history.addDelivery(delivery('b', 'a', 1, T0 + 10));
    history.addDelivery(delivery('a', 'a', 1, T0 + 12));
    history.addDelivery(delivery('c', 'a', 1, T0 + 15));
    history.addDelivery(delivery('b', 'b', 1, T0 + 20, { order: 'fifo', rank: undefined, channel: 'presence:cursors' }));
    history.addView(view('c', 1, ['c'], T0 + 30, false)); // c is cut off
    history.addView(view('a', 2, ['a', 'b'], T0 + 40));

    const model = layOut(history, T0 - 100, T0 + 100, ALL);
    expect(model.lanes.map((l) => l.member)).toEqual(['a', 'b', 'c']);
    expect(model.lanes[2]).toMatchObject({ end: T0 + 40, cuts: [[T0 + 30, undefined]] });
    expect(model.messages).toHaveLength(2);
    expect(model.messages[0]).toMatchObject({ sender: 'a', t0: T0 + 10 });
    expect(model.views.map((v) => [v.id, v.t])).toEqual([[1, T0], [2, T0 + 40]]);

    // c's process comes back as c#2: its old line stays, cut off, until then.
    const rejoined = new History();
    for (const r of history.views) rejoined.addView({ ...r, at: r.at === 'c' ? 'p3#1' : r.at, members: r.members.map((m) => (m === 'c' ? 'p3#1' : m)) });
    rejoined.addView(view('p3#2', 3, ['a', 'b', 'p3#2'], T0 + 70));
    const later = layOut(rejoined, T0 - 100, T0 + 100, ALL);
    expect(later.lanes.find((l) => l.member === 'p3#1')).toMatchObject({ end: T0 + 70, cuts: [[T0 + 30, T0 + 70]] });

    const withoutPresence = layOut(history, T0 - 100, T0 + 100, { ...ALL, presence: false });
    expect(withoutPresence.messages).toHaveLength(1);
    expect(withoutPresence.hidden).toBe(1);
  });
});
