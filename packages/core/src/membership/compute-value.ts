/**
 * The coordinator's computation of the next view and the cut that ends the current one
 * (DESIGN.md §5), from the flush reports of the members that answered. Pure and
 * deterministic: the same reports give the same value.
 *
 * - cut[s]: the most any respondent holds of sender s, so a message any survivor holds is
 *   delivered by all of them; payloads go along for whoever may lack them.
 * - order: the longest known prefix of the sequencer's positions, up to the first message that no
 *   survivor holds (it died with the sequencer or its sender: nobody delivered it or anything
 *   after it), then every other total-order message of the cut, positioned or not, by (sender
 *   rank, seq): a message that some survivor holds is never lost because its position was.
 * - drops: causal messages whose predecessors no survivor holds can never be delivered; they
 *   and their sender's later causal messages are left out (no survivor delivered them).
 */
import type { DataMsg, FlushOkMsg, ViewValue } from '../wire/messages.js';

export interface ChangeInput {
  viewId: number;
  /** The old view's members, by seniority. */
  members: readonly string[];
  /** Flush reports of the respondents, the coordinator's own included. */
  reports: ReadonlyMap<string, FlushOkMsg>;
  /** Messages the coordinator itself retains of the old view. */
  ownMessages: Iterable<DataMsg>;
  /** Processes asking to join, in the order they asked. */
  joiners: readonly string[];
  /** Respondents that asked to leave. */
  leavers: ReadonlySet<string>;
  /** The group's identity, carried from view to view. */
  gid: string;
  born: number;
}

const key = (rank: number, seq: number): number => rank * 2 ** 32 + seq;

/**
 * The next view and its cut, or undefined when no respondent has the group's state (they are all
 * joiners still waiting for it): a view made of them only would have lost the state for good, so
 * the change waits until a member that has it can answer (DESIGN.md §8).
 */
export function computeValue(input: ChangeInput): ViewValue | undefined {
  const { members, reports } = input;
  const n = members.length;
  const reportList = [...reports.values()];
  const cut = new Array<number>(n).fill(0);
  const minHold = new Array<number>(n).fill(Infinity);
  const causalAtCut = new Array<number>(n).fill(0);
  const positionedTo = new Array<number>(n).fill(0);
  for (const r of reportList) {
    for (let s = 0; s < n; s++) {
      const h = r.h[s] ?? 0;
      if (h > cut[s]! || (h === cut[s] && (r.hc[s] ?? 0) > causalAtCut[s]!)) causalAtCut[s] = r.hc[s] ?? 0;
      cut[s] = Math.max(cut[s]!, h);
      minHold[s] = Math.min(minHold[s]!, h);
      positionedTo[s] = Math.max(positionedTo[s]!, r.pu[s] ?? 0);
    }
  }

  const pool = new Map<number, DataMsg>();
  const addToPool = (m: DataMsg): void => {
    const rank = members.indexOf(m.f);
    if (m.v === input.viewId && rank >= 0 && m.n <= cut[rank]!) pool.set(key(rank, m.n), m);
  };
  for (const m of input.ownMessages) addToPool(m);
  for (const r of reportList) r.ms.forEach(addToPool);
  const byRankSeq = [...pool.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m);

  // Final total order: the longest report's positions (all reports are prefixes of one list).
  let longest: FlushOkMsg | undefined;
  for (const r of reportList) {
    if (longest === undefined || r.ob + r.ol.length / 2 > longest.ob + longest.ol.length / 2) longest = r;
  }
  const order: number[] = [];
  const orderBase = longest?.ob ?? 0;
  const ol = longest?.ol ?? [];
  let i = 0;
  for (; i < ol.length; i += 2) {
    if (ol[i + 1]! > cut[ol[i]!]!) break; // positioned but lost: none delivered it, nor anything after it
    order.push(ol[i]!, ol[i + 1]!);
  }
  // What lost its position with the break, and what never had one. (A message positioned below
  // orderBase was delivered everywhere and its position pruned: it is neither.)
  const reposition = new Set<number>();
  for (; i < ol.length; i += 2) if (ol[i + 1]! <= cut[ol[i]!]!) reposition.add(key(ol[i]!, ol[i + 1]!));
  for (const m of byRankSeq) {
    const rank = members.indexOf(m.f);
    if (m.o === 2 && m.n > positionedTo[rank]!) reposition.add(key(rank, m.n));
  }
  for (const k of [...reposition].sort((a, b) => a - b)) order.push(Math.floor(k / 2 ** 32), k % 2 ** 32);

  const drops = causalDrops(byRankSeq, members, causalAtCut);
  const survivors = members.filter((m) => reports.has(m) && !input.leavers.has(m));
  // A joiner that some respondent cannot hear (a link that is down one way or both) would only
  // be suspected by it at once: it waits until every respondent hears it (below).
  // A survivor provides the checkpoint, or else a leaver: it takes it at the cut and then goes.
  // One whose checkpoint already failed a joiner (its getState threw) is passed over; if all did, nobody can.
  const hasState = (m: string): boolean => reports.has(m) && reports.get(m)?.nl !== 1;
  const failed = new Set(reportList.flatMap((r) => r.np ?? []));
  const candidates = [...survivors, ...members.filter((m) => input.leavers.has(m))].filter(hasState);
  // Nobody who answered has the state: wait for one who has, unless nobody stays (they all leave,
  // the last of a group whose state is lost: it ends, and nobody is taken into it).
  if (candidates.length === 0 && survivors.length > 0) return undefined;
  const provider = candidates.find((m) => !failed.has(m)) ?? '';
  const joined = candidates.length === 0 ? []
    : input.joiners.filter((j) => !members.includes(j) && reportList.every((r) => r.jn?.includes(j) === true));
  const newMembers = [...survivors, ...joined];
  const stateless = survivors.filter((m) => reports.get(m)?.nl === 1);
  return {
    id: input.viewId + 1,
    members: newMembers,
    joined,
    left: members.filter((m) => !newMembers.includes(m)),
    cut,
    drops,
    orderBase,
    order,
    msgs: byRankSeq.filter((m) => m.n > minHold[members.indexOf(m.f)]!),
    needState: [...stateless, ...joined],
    provider,
    gid: input.gid,
    born: input.born,
  };
}

/** Causal messages of the cut that can never become deliverable, as flattened (rank, seq). */
function causalDrops(messages: readonly DataMsg[], members: readonly string[], causalAtCut: number[]): number[] {
  const available = causalAtCut.slice();
  const causal = messages.filter((m) => m.o === 1);
  const dropped = new Set<DataMsg>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const m of causal) {
      if (dropped.has(m)) continue;
      const rank = members.indexOf(m.f);
      const vt = m.vt ?? [];
      if (vt[rank]! > available[rank]!) {
        dropped.add(m);
        continue;
      }
      const blocked = vt.some((count, k) => k !== rank && count > available[k]!);
      if (blocked) {
        dropped.add(m);
        available[rank] = Math.min(available[rank]!, vt[rank]! - 1);
        changed = true;
      }
    }
  }
  const out: number[] = [];
  for (const m of dropped) out.push(members.indexOf(m.f), m.n);
  return out;
}
