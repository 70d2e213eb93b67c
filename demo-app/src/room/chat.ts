/**
 * The chat: plain multicasts of the group in causal order (`send(..., { order: 'causal' })`), so a
 * reply is delivered after what it answers at every member, without the sequencer round trip of
 * total order; messages nobody saw before each other may show in different orders on different
 * screens, which is what causal order allows. The last 200 lines are the page's own state
 * (`getState`/`setState`): a newcomer gets the conversation by state transfer.
 */
import type { Group, Message } from '@synchrony/core';
import { h } from '../shared/dom.js';

const KEPT_LINES = 200;
const MAX_TEXT = 280;

export interface ChatLine {
  readonly id: string;
  readonly from: string;
  readonly name: string;
  readonly text: string;
}

interface ChatMessage {
  readonly t: 'chat';
  readonly id: string;
  readonly name: string;
  readonly text: string;
}

function isChatMessage(data: unknown): data is ChatMessage {
  const m = data as Partial<ChatMessage> | null;
  return typeof m === 'object' && m !== null && m.t === 'chat' && typeof m.id === 'string'
    && typeof m.name === 'string' && typeof m.text === 'string' && m.text.length <= MAX_TEXT;
}

export class Chat {
  private lines: ChatLine[] = [];
  private sent = 0;

  constructor(
    private readonly log: HTMLOListElement,
    private readonly colourOf: (member: string, name: string) => string,
  ) {}

  /** For `JoinOptions.getState`: the conversation so far. */
  getState(): ChatLine[] {
    return this.lines;
  }

  /** For `JoinOptions.setState`: the conversation a newcomer (or a rejoining tab) starts from. */
  setState(state: unknown): void {
    this.lines = Array.isArray(state)
      ? state.filter((l): l is ChatLine => isChatMessage({ t: 'chat', ...(l as object) }) && typeof (l as ChatLine).from === 'string').slice(-KEPT_LINES)
      : [];
    this.log.replaceChildren(...this.lines.map((line) => this.item(line)));
    this.log.scrollTop = this.log.scrollHeight;
  }

  /** A multicast of the group: a chat line if it is one. */
  deliver(message: Message): void {
    if (!isChatMessage(message.data)) return;
    const line: ChatLine = { id: message.data.id, from: message.sender, name: message.data.name.slice(0, 24), text: message.data.text };
    this.lines.push(line);
    if (this.lines.length > KEPT_LINES) this.lines.shift();
    const atBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
    this.log.append(this.item(line));
    while (this.log.childElementCount > KEPT_LINES) this.log.firstElementChild?.remove();
    if (atBottom) this.log.scrollTop = this.log.scrollHeight;
  }

  /** Sends a line; resolves when multicast, rejects as `Group.send` does (NotPrimaryError while cut off). */
  send(group: Group, name: string, text: string): Promise<void> {
    this.sent += 1;
    const message: ChatMessage = { t: 'chat', id: `${group.me}:${this.sent}`, name, text: text.slice(0, MAX_TEXT) };
    return group.send(message, { order: 'causal' });
  }

  /** Shows a line that could not be sent, here only. */
  failed(text: string, why: string): void {
    this.log.append(h('li', { class: 'failed' }, `Not sent (${why}): ${text}`));
    this.log.scrollTop = this.log.scrollHeight;
  }

  private item(line: ChatLine): HTMLLIElement {
    return h('li', { 'data-chat-id': line.id },
      h('span', { class: 'who', style: `color:${this.colourOf(line.from, line.name)}` }, line.name), line.text);
  }
}
