/**
 * The gate of a process's groups that have a secret (group-proofs.ts): it sends this process's
 * proof to a peer before anything else of the group on the current connection, and holds back what
 * a peer sends for such a group until the peer's proof for it is in and verifies.
 *
 * - A proof goes on the control lane before the group's first message to a peer over the current
 *   connection (once the connection's binding is known: for WebRTC, once it is up).
 * - From a peer not proven yet: a PROOF is checked (a wrong one is refused: 'J' refused); anything
 *   else waits for the proof (it may come after them: another lane, or frames retransmitted over a
 *   new connection), and a peer that proves nothing within PROOF_WAIT_MS is refused (a joiner
 *   without the secret learns so, and its `join()` rejects with AccessDeniedError).
 * - A member with no secret answers a proof with 'J' open: a joiner with a secret refuses the group.
 * - Only a member of the group answers 'refused' or 'open': a process that is only joining too
 *   cannot tell which of the two holds the right secret, and its answer would fail the join of a
 *   process that does (the two just do not hear each other for that group).
 * - A new connection to a peer (a new binding) starts over: proofs are sent and checked again.
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
}

const pair = (peer: string, group: string): string => `${peer}\u0000${group}`;

/** A peer that sends a group's messages but proves nothing for this long is refused. */
const PROOF_WAIT_MS = 2000;
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
  /** (peer, group) proven over the current connection. */
  private readonly proven = new Set<string>();
  /** (peer, group) messages waiting for the peer's proof, and since when. */
  private readonly waiting = new Map<string, { sinceMs: number; messages: GroupMsg[] }>();
  /** (peer, group) refused: reported once, while it lasts. */
  private readonly refused = new Map<string, Refusal>();

  constructor(private readonly hooks: GateHooks) {}

  /** A group of this process and its secret (none: open). */
  register(group: string, secret: string | undefined): void {
    this.keys.set(group, secret === undefined ? null : groupKey(secret, group));
  }

  /** The proof of `group` this process sends `peer` over the current connection, if any. */
  private ownProof(peer: string, group: string): string | undefined {
    const key = this.keys.get(group);
    const binding = this.hooks.binding(peer);
    return !key || binding === undefined ? undefined : proof(key, binding, this.hooks.processId);
  }

  private self(): string {
    return `${this.hooks.processId}#0`;
  }

  /** Before a message of `group` goes to `peer`: the proof first, once per connection. */
  beforeSend(peer: string, group: string): void {
    if (!this.keys.get(group)) return;
    const key = pair(peer, group);
    if (this.sent.has(key)) return;
    if (this.hooks.binding(peer) === undefined) {
      this.due.add(key);
      return;
    }
    this.sendProof(peer, group);
  }

  private sendProof(peer: string, group: string): void {
    const key = this.keys.get(group);
    const binding = this.hooks.binding(peer);
    if (!key || binding === undefined) return;
    this.sent.add(pair(peer, group));
    this.due.delete(pair(peer, group));
    this.hooks.enqueue(peer, { t: 'P', g: group, f: this.self(), au: proof(key, binding, this.hooks.processId) });
  }

  /** The links dropped what was unacknowledged toward `peer`: proofs go again with the next message. */
  forgetSent(peer: string): void {
    for (const key of [...this.sent]) if (key.startsWith(`${peer}\u0000`)) this.sent.delete(key);
  }

  /** A new connection with `peer` is up (a new binding): everything is proved again over it. */
  connected(peer: string): void {
    const groups = new Set<string>();
    for (const set of [this.sent, this.due]) {
      for (const key of [...set]) {
        const [p, g] = key.split('\u0000') as [string, string];
        if (p !== peer) continue;
        set.delete(key);
        groups.add(g);
      }
    }
    for (const key of [...this.proven]) if (key.startsWith(`${peer}\u0000`)) this.proven.delete(key);
    for (const key of [...this.waiting.keys()]) if (key.startsWith(`${peer}\u0000`)) this.waiting.delete(key);
    this.disconnected(peer);
    for (const g of groups) this.sendProof(peer, g);
  }

  /**
   * The connection with `peer` is gone (or replaced): a refusal was about a proof over it, so the
   * peer is a process of its groups again, to be proved anew over the next connection. (Kept, a
   * refusal would keep a join from ever sending the peer anything, and so from ever connecting.)
   */
  disconnected(peer: string): void {
    for (const key of [...this.refused.keys()]) if (key.startsWith(`${peer}\u0000`)) this.refused.delete(key);
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
    if (key === null || this.proven.has(pair(peer, msg.g))) return true;
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
   * refusal lapses once they have been quiet for SILENT_REFUSAL_MS.
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
  }

  private onProof(peer: string, group: string, au: string, key: Uint8Array | null, nowMs: number, release: (messages: GroupMsg[]) => void): void {
    if (key === null) {
      // This member holds no secret: say so, and a joiner that has one refuses the group.
      if (this.hooks.member(group)) this.hooks.enqueue(peer, { t: 'J', g: group, f: this.self(), st: 'open' });
      return;
    }
    const binding = this.hooks.binding(peer);
    if (binding === undefined || !sameProof(au, proof(key, binding, peer))) {
      this.waiting.delete(pair(peer, group)); // never to be released: no second refusal for them
      this.refuse(peer, group, nowMs, 'a proof of the group secret that does not verify (a wrong secret, or a connection with someone in the middle)', au, true);
      return;
    }
    this.proven.add(pair(peer, group));
    const held = this.waiting.get(pair(peer, group));
    this.waiting.delete(pair(peer, group));
    this.refused.delete(pair(peer, group));
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
