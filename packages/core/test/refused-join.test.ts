/**
 * "Every promise settles": a join that discovery refuses (Transport.onRefused: a signaling server
 * whose token does not name the room) rejects with the transport's error, and leaves the group as
 * a failed join does: idle, so that a later join() asks discovery again. Sans-IO: a transport
 * whose discovery never answers, and a clock that never fires unless told to.
 */
import { describe, expect, it } from 'vitest';
import { createProcess, type Clock, type Transport } from '../src/index.js';

function fakeTransport() {
  let refuse: ((group: string, error: Error) => void) | undefined;
  const announced: string[] = [];
  const transport: Transport = {
    localId: 'me',
    send: () => {},
    onFrame: () => {},
    announce: (group) => { announced.push(group); },
    withdraw: () => {},
    peers: () => [],
    discovered: () => false, // the server never answers the join: only its refusal comes
    onPeers: () => {},
    onRefused: (handler) => { refuse = handler; },
    close: async () => {},
  };
  return { transport, announced, refuse: (group: string, error: Error) => refuse!(group, error) };
}

const clock: Clock = { now: () => 0, setTimer: () => () => {}, soon: (callback) => queueMicrotask(callback) };

class FakeSignalingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignalingError';
  }
}

describe('a join that discovery refuses', () => {
  it('rejects with the transport\'s error, leaves the group idle, and a later join asks again', async () => {
    const { transport, announced, refuse } = fakeTransport();
    const process = createProcess({ transport, clock });
    const errors: Error[] = [];
    process.on('error', (error) => errors.push(error));
    const group = process.group('room-b');
    const other = process.group('room-a');
    let otherSettled = false;
    other.join().then(() => { otherSettled = true; }, () => { otherSettled = true; });
    const first = group.join();
    const refusal = new FakeSignalingError('the signaling server refused the group room-b: group-forbidden: the token does not name this group');
    refuse('room-b', refusal);
    await expect(first).rejects.toBe(refusal);
    expect(group.view).toBeUndefined();
    await expect(group.send('x')).rejects.toMatchObject({ name: 'GroupClosedError' }); // never joined
    await expect(group.leave()).resolves.toBeUndefined();
    const second = group.join();
    expect(announced.filter((g) => g === 'room-b')).toHaveLength(2);
    refuse('room-b', refusal);
    await expect(second).rejects.toMatchObject({ name: 'SignalingError' });
    await Promise.resolve();
    expect(otherSettled).toBe(false); // another group's join is not concerned
    expect(errors).toEqual([]); // the transport reports the refusal itself; the join's rejection is the news
    await process.close({ abrupt: true });
    expect(otherSettled).toBe(true);
  });
});
