/**
 * The sender's clocks of a reliable lane (link/reliable-lane.ts): when an unacknowledged frame is
 * sent again, and when a peer that does not acknowledge counts as stalled. Frames are numbered
 * when they are queued, and over a data channel they may wait behind megabytes that the link
 * writes out first: a peer whose acknowledgements keep coming is losing nothing.
 */
import { describe, expect, it } from 'vitest';
import { ReliableLane, type RetransmitPolicy } from '../src/link/reliable-lane.js';

const POLICY: RetransmitPolicy = { retransmitMs: 150, retransmitBytesPerMs: 1000 };
const MIB = 1024 * 1024;
/** The first resend of a 1 MiB frame over a reliable transport: 2000 ms, plus its bytes at 1 MB/s. */
const RELIABLE_MIB_TIMEOUT_MS = 2000 + MIB / 1000;

/** A lane with `count` frames of `bytes` each, all queued at time 0 (as a burst of large sends is). */
function queued(count: number, bytes: number): ReliableLane {
  const lane = new ReliableLane(64);
  for (let i = 0; i < count; i++) lane.sized(lane.push([], 0), bytes);
  return lane;
}

describe('reliable lane clocks', () => {
  it('over a reliable transport, sends nothing again while acknowledgements keep coming, however long the queue took', () => {
    const lane = queued(16, MIB);
    // The link drains at 5 MiB/s: one frame acknowledged every 200 ms, the last after 3.2 s,
    // longer than a frame's timeout counted from when it was queued.
    for (let seq = 1; seq <= 16; seq++) {
      const now = seq * 200;
      expect(lane.due(now - 1, POLICY, true)).toEqual([]);
      lane.acknowledge(lane.epoch, seq, now);
    }
    expect(lane.inFlight).toBe(0);
  });

  it('still sends the oldest again once no acknowledgement came for its timeout', () => {
    const lane = queued(16, MIB);
    lane.acknowledge(lane.epoch, 15, 3000); // frame 16 is the oldest from 3000 on
    expect(lane.due(3000 + RELIABLE_MIB_TIMEOUT_MS - 1, POLICY, true)).toEqual([]);
    expect(lane.due(3000 + RELIABLE_MIB_TIMEOUT_MS, POLICY, true).map((f) => f.seq)).toEqual([16]);
  });

  it('counts a peer as stalled from the last acknowledgement that moved the oldest frame up, not from when that frame was queued', () => {
    const lane = queued(16, MIB);
    const stallMs = (1 + 2 + 4) * (POLICY.retransmitMs + MIB / POLICY.retransmitBytesPerMs);
    expect(lane.ackDueMs(POLICY)).toBeCloseTo(stallMs);
    lane.acknowledge(lane.epoch, 12, 7000);
    expect(lane.ackDueMs(POLICY)).toBeCloseTo(7000 + stallMs);
    lane.acknowledge(lane.epoch, 12, 8000); // the same acknowledgement again: no progress, no new time
    expect(lane.ackDueMs(POLICY)).toBeCloseTo(7000 + stallMs);
  });

  it('over a lossy transport, keeps one clock per frame from its own sending', () => {
    const lane = queued(3, 100);
    lane.acknowledge(lane.epoch, 1, 100);
    // Frames 2 and 3 went out at 0 and nothing queues ahead of them there: both are due at 150.1 ms.
    expect(lane.due(150, POLICY)).toEqual([]);
    expect(lane.due(151, POLICY).map((f) => f.seq)).toEqual([2, 3]);
  });
});
