/**
 * Channels (core src/runtime/channels.ts): the plumbing of replicated objects. A channel's
 * operations are delivered in the group's order to its handler, its state travels in the
 * checkpoint, and a channel opened late catches up from the backlog kept for it.
 */
import { openChannel, type ChannelMeta, type Group } from '@synchrony/core';
import { describe, expect, it } from 'vitest';
import { Simulator } from '../src/simulator.js';

/** A counter reducer on a channel: the sum of the operations, and who added last. */
function counter(group: Group, name = 'sum') {
  const state = { sum: 0, last: '' as string, views: 0 };
  const channel = openChannel(group, name, {
    deliver: (op: unknown, meta: ChannelMeta) => { state.sum += op as number; state.last = meta.sender; },
    view: (view) => { if (view.primary) state.views += 1; },
    getState: () => ({ sum: state.sum, last: state.last }),
    setState: (s) => {
      const part = (s ?? { sum: 0, last: '' }) as { sum: number; last: string };
      state.sum = part.sum;
      state.last = part.last;
    },
  });
  return { state, channel };
}

describe('channels', () => {
  it('deliver in order to handlers, not to message listeners, and travel in the checkpoint', async () => {
    const sim = new Simulator({ seed: 3 });
    const a = sim.spawn('a');
    const b = sim.spawn('b');
    let appState = 'a-state';
    const ga = a.group('g', { getState: () => appState });
    const messages: unknown[] = [];
    ga.on('message', (m) => messages.push(m.data));
    const ca = counter(ga);
    void ga.join();
    await sim.run(500);
    const gb = b.group('g', { setState: (s) => { appState = `b got ${String(s)}`; } });
    void gb.join();
    await sim.run(500);
    const cb = counter(gb); // opened after join: catches up from the backlog (nothing yet)
    void ca.channel.send(5);
    void cb.channel.send(7);
    void ga.send('plain');
    await sim.run(500);
    expect(ca.state.sum).toBe(12);
    expect(cb.state.sum).toBe(12);
    expect(messages).toEqual(['plain']);
    expect(appState).toBe('b got a-state');

    const c = sim.spawn('c');
    const gc = c.group('g');
    void gc.join();
    await sim.run(800);
    void ca.channel.send(1);
    await sim.run(300);
    const cc = counter(gc); // the checkpoint part, then the backlog since
    expect(cc.state.sum).toBe(13);
    expect(cc.state.views).toBe(1); // the view c joined in comes after the checkpoint: replayed
  });

  it('an ephemeral channel keeps only the last operation of each sender and is not checkpointed', async () => {
    const sim = new Simulator({ seed: 4 });
    const [a, b] = [sim.spawn('a'), sim.spawn('b')];
    const ga = a.group('g');
    const gb = b.group('g');
    void ga.join();
    await sim.run(500);
    void gb.join();
    await sim.run(800);
    const pa = openChannel(ga, 'cursor', { deliver: () => {} }, { ephemeral: true });
    for (let i = 0; i < 5; i++) void pa.send({ x: i }, { order: 'fifo' });
    await sim.run(300);
    const seen: unknown[] = [];
    openChannel(gb, 'cursor', { deliver: (op, meta) => seen.push([op, meta.sender]) }, { ephemeral: true });
    expect(seen).toEqual([[{ x: 4 }, ga.me]]);
    expect(() => openChannel(gb, 'cursor', { deliver: () => {} })).toThrow(/open already/);
  });
});

describe('tapGroup', () => {
  it('sees every delivery, objects operations and requests included, numbered the same at every member', async () => {
    const { tapGroup } = await import('@synchrony/core');
    const sim = new Simulator({ seed: 5 });
    const [a, b] = [sim.spawn('a'), sim.spawn('b')];
    const ga = a.group('g');
    const gb = b.group('g');
    const seen: Record<string, string[]> = { a: [], b: [] };
    tapGroup(ga, (e) => { if (e.kind === 'deliver') seen.a!.push(`${e.sender}/${e.viewId}/${e.seq}/${e.index}/${e.channel ?? '-'}`); });
    tapGroup(gb, (e) => { if (e.kind === 'deliver') seen.b!.push(`${e.sender}/${e.viewId}/${e.seq}/${e.index}/${e.channel ?? '-'}`); });
    void ga.join();
    await sim.run(500);
    void gb.join();
    await sim.run(800);
    const ca = counter(ga);
    void ga.send('plain');
    void ca.channel.send(2);
    await sim.run(300);
    expect(seen.a).toEqual([`${ga.me}/2/1/0/-`, `${ga.me}/2/2/1/sum`]);
    expect(seen.b).toEqual(seen.a);
  });
});
