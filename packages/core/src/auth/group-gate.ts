/**
 * The gate of a process's groups that have a secret (group-proofs.ts): it sends this process's
 * proof to a peer before anything else of the group on the current connection, holds back what
 * a peer sends for such a group until the peer's proof for it is in and verifies, and holds back
 * what this process sends the peer for the group until then too (a man in the middle of a new
 * connection must not read the group's traffic either).
 *
 * - A proof goes on the control lane before the group's first message to a peer over the current
 *   connection (once the connection's binding is known: for WebRTC, once it is up), and in answer
 *   to a peer's proof that verifies, if none went yet: nothing else of the group goes to the peer
 *   before the proofs, so each side's first message waits for the other's proof.
 * - To a peer not proven over the current connection: the group's messages wait, in order (at most
 *   MAX_AWAITING_PROOF), and go once its proof verifies; a peer whose proof fails never gets them
 *   (it is refused, as below); to one that proves nothing within OUTBOUND_WAIT_MS of our proof,
 *   they are dropped, as the links drop what a silent peer does not acknowledge. Frames already
 *   numbered by the links (sent over an earlier connection, not acknowledged) that carry them wait
 *   too (`mayCarry`), and go when the peer proves (`GateHooks.proven`). Proofs never wait: the links
 *   take a proof out of a frame that arrives ahead of a gap at once (one side's deferred frames
 *   must not hold back the proof that would release the other side's).
 * - From a peer not proven yet: a PROOF is checked (a wrong one is refused: 'J' refused); anything
 *   else waits for the proof (it may come after them: another lane, or frames retransmitted over a
 *   new connection), and a peer that proves nothing within PROOF_WAIT_MS is refused (a joiner
 *   without the secret learns so, and its `join()` rejects with AccessDeniedError).
 * - A member with no secret answers a proof with 'J' open: a joiner with a secret refuses the group.
 * - Only a member of the group answers 'refused' or 'open': a process that is only joining too
 *   cannot tell which of the two holds the right secret, and its answer would fail the join of a
 *   process that does (the two just do not hear each other for that group).
 * - A new connection to a peer (a new binding) starts over: proofs are sent and checked again,
 *   before anything else of the group goes over it; a connection that goes takes the refusals
 *   made over it with it (a refused peer is no process of the group, so nothing would make a new
 *   connection to it otherwise).
 * - A refusal for proving nothing (not for a wrong proof) lapses once the peer has sent nothing
 *   unproved for SILENT_REFUSAL_MS: its proof may have been lost with a connection that broke
 *   without a word, and a joiner that kept such a member out of its peers would never send it its
 *   JOIN, never connect to it again, and so never be taken in (the group waits for every member to
 *   hear a joiner). Reaching out to it replaces the connection, and the proofs go again.
 */
import type { GroupMsg } from '../wire/messages.js';
import { groupKey, MAX_AWAITING_PROOF, proof, REFUSED_PROOF_ECHO, sameProof } from './group-proofs.js';

export interface GateHooks {
  /** This process's id (the prover of its proofs). */
  readonly processId: string;
  /** The binding of the current connection with `peer`, undefined until it is known. */
  binding(peer: string): string | undefined;
  /** Sends a process-level message to `peer` (on the control lane). */
  enqueue(peer: string, message: GroupMsg): void;
  /** A peer's bad input: reported (rate-limited) and dropped. */
  reject(peer: string, reason: string): void;
  /** Whether this process is a member of `group` (holds a view of it), and so speaks for it. */
  member(group: string): boolean;
  /** `peer` proved a group's secret over the current connection: what waited for it may go. */
  proven?(peer: string): void;
  /**
   * A message waits for a proof over a connection that is not up yet: make sure one is being made
   * (nothing else may go to the peer that would make it).
   */
  open?(peer: string): void;
}

const pair = (peer: string, group: string): string => `${peer}\u0000${group}`;

/** The (peer, group) keys of `peer` among `keys` (a copy: the caller may delete them as it goes). */
const keysOf = (keys: Iterable<string>, peer: string): string[] => [...keys].filter((key) => key.startsWith(`${peer}\u0000`));

/** A peer that sends a group's messages but proves nothing for this long is refused. */
const PROOF_WAIT_MS = 2000;
/**
 * What waits to go to a peer that does not answer our proof is dropped after this long (a peer
 * that can be reached and holds the secret answers at once; one that cannot be reached is
 * suspected well before).
 */
const OUTBOUND_WAIT_MS = 10_000;
/** A refused peer is told so at most this often. */
const ANSWER_EVERY_MS = 1000;
/** A refusal for proving nothing lapses when the peer has sent nothing unproved for this long. */
const SILENT_REFUSAL_MS = 3 * PROOF_WAIT_MS;

interface Refusal {
  /** When a member of the group last answered 'refused'. */
  answeredAtMs: number;
  /** When the peer was last refused (its messages waited in vain, or its proof did not verify). */
  atMs: number;
  /** For a proof that does not verify: it holds until the peer proves the secret or reconnects. */
  wrongProof: boolean;
  /** Whether it counts now (a refusal for proving nothing lapses: see SILENT_REFUSAL_MS). */
  active: boolean;
}

export class GroupGate {
  /** Each group's key, or null for a group without a secret. */
  private readonly keys = new Map<string, Uint8Array | null>();
  /** (peer, group) proofs sent over the current connection. */
  private readonly sent = new Set<string>();
  /** (peer, group) whose proof is due as soon as the connection's binding is known. */
  private readonly due = new Set<string>();
  /**
   * (peer, group) proven, and the binding of the connection it was proven over: good only while
   * that connection is the current one (a transport may make a new one before it says so).
   */
  private readonly proven = new Map<string, string>();

  /** Whether `peer` proved the group of `key` over the current connection. */
  private isProven(peer: string, key: string): boolean {
    const binding = this.proven.get(key);
    return binding !== undefined && binding === this.hooks.binding(peer);
  }
  /** (peer, group) messages waiting for the peer's proof, and since when. */
  private readonly waiting = new Map<string, { sinceMs: number; messages: GroupMsg[] }>();
  /**
   * (peer, group) messages of this process waiting for the peer's proof before they go, and since
   * when our proof went to it (undefined until it did: the connection may not be up yet).
   */
  private readonly outbound = new Map<string, { sinceMs: number | undefined; messages: GroupMsg[] }>();
  /** (peer, group) refused: reported once, while it lasts. */
  private readonly refused = new Map<string, Refusal>();

  constructor(private readonly hooks: GateHooks) {}

  /** A group of this process and its secret (none: open). */
  register(group: string, secret: string | undefined): void {
    this.keys.set(group, secret === undefined ? null : groupKey(secret, group));
    if (secret !== undefined) this.anySecret = true;
  }

  /** The proof of `group` this process sends `peer` over the current connection, if any. */
  private ownProof(peer: string, group: string): string | undefined {
    const key = this.keys.get(group);
    const binding = this.hooks.binding(peer);
    return !key || binding === undefined ? undefined : proof(key, binding, this.hooks.processId);
  }

  /** Whether any group here has a secret (if none, nothing ever waits to go). */
  private anySecret = false;

  private self(): string {
    return `${this.hooks.processId}#0`;
  }

  /**
   * A message of `group` for `peer`: whether it may go now. The proof goes first, once per
   * connection; to a peer not proven over the current connection the message waits (it is sent
   * through `GateHooks.enqueue` once the peer proves; a refusal drops what waits).
   */
  send(peer: string, group: string, message: GroupMsg): boolean {
    if (!this.keys.get(group)) return true;
    const key = pair(peer, group);
    const binding = this.hooks.binding(peer);
    if (!this.sent.has(key)) {
      if (binding === undefined) this.due.add(key);
      else this.sendProof(peer, group);
    }
    if (binding !== undefined && this.proven.get(key) === binding) return true;
    if (binding === undefined) this.hooks.open?.(peer);
    let held = this.outbound.get(key);
    if (held === undefined) {
      held = { sinceMs: undefined, messages: [] };
      this.outbound.set(key, held);
    }
    if (held.messages.length >= MAX_AWAITING_PROOF) {
      // As if the link to it were reset: what waited is dropped, and the proof goes again.
      this.outbound.delete(key);
      this.sent.delete(key);
      this.hooks.reject(peer, `no proof of the secret of group ${group.slice(0, 64)} while ${MAX_AWAITING_PROOF} messages waited to go to it`);
      return false;
    }
    held.messages.push(message);
    return false;
  }

  /**
   * Whether a frame that carries `messages` may go to `peer` over the current connection: none of
   * them belongs to a group with a secret the peer has not proved over it (proofs and statuses
   * always may: they are what an unproven peer is sent).
   */
  mayCarry(peer: string, messages: readonly GroupMsg[]): boolean {
    if (!this.anySecret) return true;
    let checked: string | undefined;
    for (const m of messages) {
      if (m.t === 'P' || m.t === 'J' || m.g === checked) continue; // proofs, and statuses ('refused'), go to the unproven
      checked = m.g;
      if (this.keys.get(m.g) && !this.isProven(peer, pair(peer, m.g))) return false;
    }
    return true;
  }

  private sendProof(peer: string, group: string): void {
    const key = this.keys.get(group);
    const binding = this.hooks.binding(peer);
    if (!key || binding === undefined) return;
    this.sent.add(pair(peer, group));
    this.due.delete(pair(peer, group));
    this.hooks.enqueue(peer, { t: 'P', g: group, f: this.self(), au: proof(key, binding, this.hooks.processId) });
  }

  /**
   * The links dropped what was unacknowledged toward `peer` (no group needs it, and it is silent):
   * so is what waits here to go to it, and proofs go again with the next message.
   */
  forgetSent(peer: string): void {
    for (const key of keysOf(this.sent, peer)) this.sent.delete(key);
    for (const key of keysOf(this.outbound.keys(), peer)) this.outbound.delete(key);
  }

  /** A new connection with `peer` is up (a new binding): everything is proved again over it. */
  connected(peer: string): void {
    const groups = new Set<string>();
    const group = (key: string): string => key.slice(peer.length + 1);
    for (const set of [this.sent, this.due]) {
      for (const key of keysOf(set, peer)) {
        set.delete(key);
        groups.add(group(key));
      }
    }
    // A group the peer had proved, or that has messages waiting to go to it, is proved again too:
    // nothing else of it may go over this connection before the proofs.
    for (const key of keysOf(this.proven.keys(), peer)) {
      this.proven.delete(key);
      groups.add(group(key));
    }
    for (const key of keysOf(this.waiting.keys(), peer)) this.waiting.delete(key);
    // What waits to go keeps waiting, for the proof over this connection (its clock starts over).
    for (const key of keysOf(this.outbound.keys(), peer)) {
      this.outbound.get(key)!.sinceMs = undefined;
      groups.add(group(key));
    }
    this.disconnected(peer); // a new connection: refusals made over the old one are forgotten
    for (const g of groups) this.sendProof(peer, g);
  }

  /**
   * The connection with `peer` is gone: a refusal was about it (a man in the middle of it, say), and
   * is forgotten, so that the next connection is made and proved afresh (a refused peer is no
   * process of the group, so nothing else would make one).
   */
  disconnected(peer: string): void {
    for (const key of keysOf(this.refused.keys(), peer)) this.refused.delete(key);
  }

  /**
   * Whether a message of a peer goes on to its group now. Messages held for a proof come back
   * through `release` once it verifies.
   */
  admit(peer: string, msg: GroupMsg, nowMs: number, release: (messages: GroupMsg[]) => void): boolean {
    const key = this.keys.get(msg.g);
    // Statuses (refused, open) carry no proof: the worst a forger does is refuse. A refusal of
    // another proof than the one this process sent over the current connection is stale.
    // (A refusal for proving nothing has no `cn`: it holds when this process sent no proof either.)
    if (msg.t === 'J') return msg.st !== 'refused' || msg.cn === this.ownProof(peer, msg.g)?.slice(0, REFUSED_PROOF_ECHO);
    if (key === undefined) return msg.t !== 'P'; // no such group here (the engine answers what it must)
    if (msg.t === 'P') {
      this.onProof(peer, msg.g, msg.au, key, nowMs, release);
      return false;
    }
    if (key === null || this.isProven(peer, pair(peer, msg.g))) return true;
    const waiting = this.waiting.get(pair(peer, msg.g)) ?? { sinceMs: nowMs, messages: [] };
    if (waiting.messages.length >= MAX_AWAITING_PROOF) {
      this.hooks.reject(peer, `too many messages of group ${msg.g.slice(0, 64)} waiting for a proof of its secret`);
      return false;
    }
    waiting.messages.push(msg);
    this.waiting.set(pair(peer, msg.g), waiting);
    return false;
  }

  /**
   * Peers that proved nothing for too long are refused, and what they sent is dropped; such a
   * refusal lapses once they have been quiet for SILENT_REFUSAL_MS. What waited to go to a peer
   * that did not answer our proof with its own (a process of the room that is no member, or holds
   * no secret, or cannot be reached) within OUTBOUND_WAIT_MS is dropped: silently, as when the
   * links drop what a silent peer did not acknowledge, and without refusing it (it sent nothing
   * wrong; the next message sends the proof again).
   */
  tick(nowMs: number): void {
    for (const [key, waiting] of this.waiting) {
      if (nowMs - waiting.sinceMs < PROOF_WAIT_MS) continue;
      this.waiting.delete(key);
      const [peer, group] = key.split('\u0000') as [string, string];
      this.refuse(peer, group, nowMs, `${waiting.messages.length} messages of group ${group.slice(0, 64)} with no proof of its secret`, undefined);
    }
    for (const [key, refusal] of this.refused) {
      if (refusal.active && !refusal.wrongProof && nowMs - refusal.atMs >= SILENT_REFUSAL_MS && !this.waiting.has(key)) refusal.active = false;
    }
    for (const [key, held] of this.outbound) {
      if (held.sinceMs === undefined) {
        if (this.sent.has(key)) held.sinceMs = nowMs; // our proof is out: the peer's answer is due
        continue;
      }
      if (nowMs - held.sinceMs < OUTBOUND_WAIT_MS) continue;
      this.outbound.delete(key);
      this.sent.delete(key);
    }
  }

  private onProof(peer: string, group: string, au: string, key: Uint8Array | null, nowMs: number, release: (messages: GroupMsg[]) => void): void {
    if (key === null) {
      // This member holds no secret: say so, and a joiner that has one refuses the group.
      if (this.hooks.member(group)) this.hooks.enqueue(peer, { t: 'J', g: group, f: this.self(), st: 'open' });
      return;
    }
    const binding = this.hooks.binding(peer);
    const pk = pair(peer, group);
    if (binding === undefined || !sameProof(au, proof(key, binding, peer))) {
      // Proven over this connection already: an older connection's proof, sent again over this one
      // in a frame it had not acknowledged.
      if (binding !== undefined && this.proven.get(pk) === binding) return;
      this.waiting.delete(pk); // never to be released: no second refusal for them
      this.refuse(peer, group, nowMs, 'a proof of the group secret that does not verify (a wrong secret, or a connection with someone in the middle)', au, true);
      return;
    }
    if (this.proven.get(pk) === binding) return; // the same proof again (taken ahead of a gap, then in order)
    this.proven.set(pk, binding);
    this.refused.delete(pk);
    if (!this.sent.has(pk)) this.sendProof(peer, group); // a proof answers a proof
    const out = this.outbound.get(pk);
    this.outbound.delete(pk);
    if (out !== undefined) for (const message of out.messages) this.hooks.enqueue(peer, message);
    this.hooks.proven?.(peer);
    const held = this.waiting.get(pk);
    this.waiting.delete(pk);
    if (held !== undefined && held.messages.length > 0) release(held.messages);
  }

  /**
   * Whether `peer` failed to prove `group`'s secret (and has not proved it since): it is no process
   * of this group here, and a join does not wait for its answer.
   */
  refuses(peer: string, group: string): boolean {
    return this.refused.get(pair(peer, group))?.active === true;
  }

  /** Reports a refused peer once; a member of the group tells it so, at most once a second. */
  private refuse(peer: string, group: string, nowMs: number, reason: string, refusedProof: string | undefined, wrongProof = false): void {
    const key = pair(peer, group);
    this.outbound.delete(key); // a peer that cannot prove the secret never gets the group's traffic
    let refused = this.refused.get(key);
    if (refused === undefined) {
      this.hooks.reject(peer, reason);
      refused = { answeredAtMs: -Infinity, atMs: nowMs, wrongProof, active: true };
      this.refused.set(key, refused);
    }
    refused.atMs = nowMs;
    refused.active = true;
    refused.wrongProof ||= wrongProof;
    if (nowMs - refused.answeredAtMs < ANSWER_EVERY_MS || !this.hooks.member(group)) return;
    refused.answeredAtMs = nowMs;
    const cn = refusedProof?.slice(0, REFUSED_PROOF_ECHO);
    this.hooks.enqueue(peer, { t: 'J', g: group, f: this.self(), st: 'refused', ...(cn === undefined ? {} : { cn }) });
  }
}
