/**
 * Scenarios of the model-based test in which the core misbehaved, shrunk by fast-check
 * (OBJECTS_FAIL_ON_CORE=<pattern> OBJECTS_SHRINK=1) and kept here as data: core-issues.test.ts
 * replays them. Each replays exactly (the simulator is deterministic).
 */
import type { Scenario } from './play.js';

/**
 * 3 members; p2, then p3, cut off for less than the failure timeout (1 ms, then 160 ms) while the
 * coordinator p1 sends. After the heal p3 never delivers p1's two map operations of view 3 (p1 and
 * p2 did), and nothing ever changes: no view change, no retransmission that lands. 20 s later, still.
 */
export const LOST_AFTER_SHORT_PARTITION: Scenario = {
  seed: 1, members: 3, dropRate: 0,
  steps: [
    { t: 'op', who: 0, op: { o: 'push' }, times: 1 }, { t: 'op', who: 0, op: { o: 'presence' }, times: 1 },
    { t: 'partition', who: [566110465] }, { t: 'op', who: 0, op: { o: 'custom' }, times: 1 },
    { t: 'op', who: 0, op: { o: 'insert', at: 0 }, times: 1 }, { t: 'op', who: 0, op: { o: 'add', delta: 0 }, times: 1 },
    { t: 'op', who: 0, op: { o: 'add', delta: 0 }, times: 1 }, { t: 'run', ms: 1 }, { t: 'heal' }, { t: 'open' },
    { t: 'run', ms: 58 }, { t: 'partition', who: [363250241] }, { t: 'run', ms: 1 },
    { t: 'op', who: 0, op: { o: 'set', key: 0 }, times: 1 }, { t: 'run', ms: 160 },
    { t: 'op', who: 0, op: { o: 'delete', key: 0 }, times: 1 }, { t: 'partition', who: [0] },
    { t: 'open' }, { t: 'open' }, { t: 'open' },
  ],
};

/**
 * 4 members, two joiners, a crash, a 2|4 partition for 227 ms. After the heal p4#1 stays in
 * primary view 5 (p1..p5) for good, while the others go on to view 9 without it: it never learns
 * that it was excluded, and it still shows a primary view.
 */
export const STALE_PRIMARY_MEMBER: Scenario = {
  seed: 1, members: 4, dropRate: 0,
  steps: [
    { t: 'join', early: false }, { t: 'run', ms: 99 }, { t: 'crash', who: 603631106 }, { t: 'join', early: false },
    { t: 'op', who: 0, op: { o: 'push' }, times: 1 }, { t: 'op', who: 0, op: { o: 'custom' }, times: 1 }, { t: 'run', ms: 157 },
    { t: 'op', who: 0, op: { o: 'custom' }, times: 1 }, { t: 'op', who: 0, op: { o: 'add', delta: 0 }, times: 1 },
    { t: 'op', who: 0, op: { o: 'set', key: 0 }, times: 1 }, { t: 'run', ms: 24 }, { t: 'partition', who: [1688726499, 376604032] },
    { t: 'run', ms: 227 }, { t: 'heal' }, { t: 'op', who: 581018211, op: { o: 'custom' }, times: 1 }, { t: 'heal' },
    { t: 'op', who: 1358244161, op: { o: 'lock' }, times: 1 }, { t: 'run', ms: 1 }, { t: 'run', ms: 1 },
    { t: 'op', who: 44409102, op: { o: 'presence' }, times: 1 }, { t: 'run', ms: 8 }, { t: 'op', who: 0, op: { o: 'set', key: 0 }, times: 1 },
    { t: 'op', who: 0, op: { o: 'insert', at: 0 }, times: 2 }, { t: 'op', who: 0, op: { o: 'lock' }, times: 1 },
  ],
};

/**
 * 5 members, partitions, a crash, joins and two leaves: p1, behind in view 5, receives a lag probe
 * for view 7 and reports it on process 'error' ("L for view 7, but this member is in view 5"),
 * an ordinary condition after a partition, not a peer's fault.
 */
export const PROBE_FROM_A_LATER_VIEW: Scenario = {
  seed: 1, members: 5, dropRate: 0,
  steps: [
    { t: 'partition', who: [0] }, { t: 'run', ms: 26 }, { t: 'run', ms: 197 }, { t: 'crash', who: 933201439 }, { t: 'run', ms: 133 },
    { t: 'op', who: 0, op: { o: 'custom' }, times: 1 }, { t: 'partition', who: [0] }, { t: 'run', ms: 1 }, { t: 'join', early: false },
    { t: 'run', ms: 80 }, { t: 'run', ms: 263 }, { t: 'heal' }, { t: 'join', early: false }, { t: 'partition', who: [407177444] },
    { t: 'op', who: 0, op: { o: 'presence' }, times: 1 }, { t: 'op', who: 0, op: { o: 'insert', at: 0 }, times: 1 },
    { t: 'leave', who: 0 }, { t: 'leave', who: 0 }, { t: 'run', ms: 1 }, { t: 'run', ms: 307 }, { t: 'partition', who: [0] },
    { t: 'run', ms: 1 }, { t: 'op', who: 0, op: { o: 'presence' }, times: 1 }, { t: 'op', who: 0, op: { o: 'insert', at: 0 }, times: 1 },
    { t: 'op', who: 0, op: { o: 'insert', at: 0 }, times: 1 },
  ],
};
