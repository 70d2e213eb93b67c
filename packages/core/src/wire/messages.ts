/**
 * The group messages that travel inside frames (see frame.ts for the envelope).
 *
 * Every message names its group `g` and its sender member `f`; the process that sent the
 * frame must own `f` (checked by the engine). Views are numbered; a view-change round for the
 * view after `v` is named by `v`, the view it replaces. Ballots order competing rounds.
 *
 *   d  DATA      a multicast in view v: seq n (per sender per view), order o, safe sf,
 *                causal vector vt (causal only), causal count cc, request flag k, payload p;
 *                x: the channel it belongs to (replicated objects), e: 1 an ephemeral channel
 *   k  STABLE    what the sender holds of view v: h[rank] contiguous seqs, hc[rank] causal
 *                counts at h, dl[rank] seqs delivered (a prefix), dp total-order positions
 *                delivered, op positions held; jn the joiners it hears (a coordinator starts a
 *                change for a joiner once every member hears it)
 *   o  ORDER     the sequencer's positions q, q+1, ... for (rank, seq) pairs in l (flattened)
 *   j  JOIN      a process asks to join as member f (repeated until it is in a view)
 *   P  PROOF     (group with a secret) the sender process proves the secret over this connection:
 *                au = HMAC(HKDF(secret, group), binding, sender) (auth/group-proofs.ts)
 *   J  STATUS    the answer to a JOIN: st 'member' (the sender's group takes it in) | 'joining' | 'idle' | 'minority'
 *                | 'refused' (a wrong secret, or none: the joiner gives up) | 'open' (this member has no
 *                secret: a joiner that has one gives up); or the answer to a DEPARTED of a
 *                process leaving as it joined: 'clear' (it is in no view or accepted value of the sender's)
 *                | 'holding' (it is: the sender's group will exclude it first); rk: the joiner's stored
 *                rank [view id, position] (after a total failure the best stored checkpoint restarts the group);
 *                bl: 1 with 'member': the sender's view is blocked (cut off from a majority of it)
 *   l  LEAVE     member f of view v asks to leave
 *   f  FLUSH     phase 1 of the change after view v, ballot b: stop sending, report
 *   F  FLUSH-OK  the report: holds h, causal counts hc, order base ob and entries ol, highest
 *                positioned seq per sender pu, payloads ms above the member's stable floor, the
 *                accepted value ac, no state yet nl, providers whose checkpoint failed it np, joiners
 *                it hears jn (a joiner is taken in only once every respondent hears it)
 *   N  NACK      ballot b is below the promise pb
 *   p  PROPOSE   phase 2: value val for ballot b
 *   a  ACCEPT    the value of ballot b is accepted
 *   c  COMMIT    the value of ballot b is chosen: install the one you accepted
 *   i  INSTALL   the value is chosen: install it (sent to those that did not accept it)
 *   L  LAG       the sender is still in view v and cannot take part in a later round (also a
 *                blocked member's probe: has the group gone on without me?)
 *   x  DEPARTED  member f no longer takes part (left, excluded, or declared itself in a minority)
 *   w  WANT      member f of view v asks the coordinator for a view change: it was blocked (cut off
 *                from a majority) and sees a majority again, or it suspects the members s, or its
 *                state transfer failed
 *   E  ENDED     the sender is in view v, which does not hold member `to`: the group went on
 *                without it (the answer to a round, probe or nudge of a view long gone)
 *   s  STATE     chunk i of c of the checkpoint of view v for joiner `to`
 *   z  NO-STATE  the provider of view v could not take the checkpoint for `to` (its getState threw: e)
 *   Q  FATE?     member f, excluded after view v without learning the cut, asks how many of its
 *                messages of v the cut kept (its pending safe sends settle by the answer)
 *   A  FATE      the answer, to `to`: cut c and dropped seqs d of its messages in view v, or u: unknown
 *   V  DIGEST    (process level, g '*', f 'process#0') a hash h of the n (group, view, member) entries the
 *                sender holds with the receiver: views its member is in that hold a member of the receiver
 *   W  VIEWS     (process level) the entries l themselves, when the digests differed: a member that is
 *                behind (excluded without noticing) is told how its view ended. Quiet groups send nothing.
 *   h  HELLO     a member of a group (id gid, founded at born, n members) greets a process of the same
 *                name outside its view: two groups founded apart meet, and the smaller one dissolves
 *   r  DIRECT    a point-to-point payload p for member `to` (request replies)
 */
import type { Ballot } from '../membership/ballot.js';

export const ORDER_CODES = ['fifo', 'causal', 'total'] as const;
export type OrderCode = 0 | 1 | 2;

export interface DataMsg {
  t: 'd'; g: string; v: number; f: string; n: number; o: OrderCode;
  sf?: 1; vt?: number[]; cc: number; k?: 1; x?: string; e?: 1; p: unknown;
}
export interface StableMsg { t: 'k'; g: string; v: number; f: string; h: number[]; hc: number[]; dl: number[]; dp: number; op: number; jn?: string[] }
export interface OrderMsg { t: 'o'; g: string; v: number; f: string; q: number; l: number[] }
export interface JoinMsg { t: 'j'; g: string; f: string }
export interface ProofMsg { t: 'P'; g: string; f: string; au: string }
export type JoinStatus = 'joining' | 'idle' | 'minority' | 'member' | 'refused' | 'open' | 'clear' | 'holding';
/**
 * A process's answer to a joiner. `cn`, on a refusal of a proof: the start of the proof refused,
 * so that a refusal that outlives its connection (the link sends unacknowledged frames again over
 * the next one) is not taken for an answer to the proof sent over the new one.
 */
export interface StatusMsg { t: 'J'; g: string; f: string; st: JoinStatus; rk?: [number, number]; cn?: string; bl?: 1 }
export interface LeaveMsg { t: 'l'; g: string; v: number; f: string }
export interface FlushMsg { t: 'f'; g: string; v: number; f: string; b: Ballot }
export interface FlushOkMsg {
  t: 'F'; g: string; v: number; f: string; b: Ballot;
  h: number[]; hc: number[]; ob: number; ol: number[]; pu: number[]; ms: DataMsg[];
  ac?: [Ballot, ViewValue]; nl?: 1; np?: string[]; jn?: string[];
}
export interface NackMsg { t: 'N'; g: string; v: number; f: string; b: Ballot; pb: Ballot }
export interface ProposeMsg { t: 'p'; g: string; v: number; f: string; b: Ballot; val: ViewValue }
export interface AcceptMsg { t: 'a'; g: string; v: number; f: string; b: Ballot }
export interface CommitMsg { t: 'c'; g: string; v: number; f: string; b: Ballot }
export interface InstallMsg { t: 'i'; g: string; v: number; f: string; val: ViewValue }
export interface LagMsg { t: 'L'; g: string; v: number; f: string }
export interface DepartedMsg { t: 'x'; g: string; f: string }
export interface WantMsg { t: 'w'; g: string; v: number; f: string; s?: string[] }
export interface EndedMsg { t: 'E'; g: string; v: number; f: string; to: string }
export interface StateMsg { t: 's'; g: string; v: number; f: string; to: string; i: number; c: number; d: Uint8Array }
export interface DirectMsg { t: 'r'; g: string; f: string; to: string; p: unknown }
export interface NoStateMsg { t: 'z'; g: string; v: number; f: string; to: string; e: string }
export interface FateQueryMsg { t: 'Q'; g: string; v: number; f: string }
export interface FateMsg { t: 'A'; g: string; v: number; f: string; to: string; c: number; d: number[]; u?: 1 }
export interface DigestMsg { t: 'V'; g: string; f: string; h: number; n: number }
export interface ViewsMsg { t: 'W'; g: string; f: string; l: Array<[group: string, viewId: number, member: string]> }
export interface HelloMsg { t: 'h'; g: string; f: string; gid: string; born: number; n: number }

export type GroupMsg =
  | DataMsg | StableMsg | OrderMsg | JoinMsg | StatusMsg | LeaveMsg | FlushMsg | FlushOkMsg
  | NackMsg | ProposeMsg | AcceptMsg | CommitMsg | InstallMsg | LagMsg | DepartedMsg | WantMsg | EndedMsg
  | StateMsg | DirectMsg | ProofMsg | NoStateMsg | FateQueryMsg | FateMsg | HelloMsg | DigestMsg | ViewsMsg;

/**
 * The decision of one view change, agreed by ballots: the next view and the cut that ends the
 * old one. Ranks refer to the old view's members.
 */
export interface ViewValue {
  /** The id of the new view (old id + 1). */
  id: number;
  members: string[];
  joined: string[];
  left: string[];
  /** Per old rank: every message with seq <= cut is delivered in the old view, but drops. */
  cut: number[];
  /** Causal messages within the cut whose predecessors are lost: never delivered (flattened rank, seq). */
  drops: number[];
  /** The final total order from position orderBase on (flattened rank, seq). */
  orderBase: number;
  order: number[];
  /** Payloads some survivor may lack. */
  msgs: DataMsg[];
  /** Members that must receive the checkpoint, and who sends it. */
  needState: string[];
  /** The member that sends the checkpoint; '' when no member could (every provider failed). */
  provider: string;
  /** The group's identity: its founder's member id and founding time (two groups founded apart differ). */
  gid: string;
  born: number;
}
