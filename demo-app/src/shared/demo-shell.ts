/**
 * What both demo pages are made of around their own objects: the room name and invite link, the
 * name field, the session (connect, prepare, join), the members panel and partition banner, the
 * inspector, the veil over the stage until the page joined (or why it could not), and the status
 * handle the tests read. A page describes itself with a {@link DemoSpec}.
 */
import type { JoinOptions, View } from '@synchrony/core';
import { InspectorPanel } from '../inspector/panel.js';
import { describeError, installDemoHandle, type DemoStatus } from './demo-handle.js';
import { must } from './dom.js';
import { GroupStatusView, wireInvite } from './group-status.js';
import { colourOf } from './names.js';
import { loadName, saveName } from './names-store.js';
import { inviteLink, readParams } from './params.js';
import { startSession, type Session } from './session.js';
import { Toaster } from './toast.js';

/** What a page is, beyond the shell. */
export interface DemoSpec {
  readonly page: 'whiteboard' | 'room';
  readonly joinOptions?: Omit<JoinOptions, 'failureTimeoutMs'>;
  /** A member's name and colour as the page's presence shows them (undefined until it arrives). */
  nameOf(member: string): string | undefined;
  colourOf(member: string): string | undefined;
  /** What a replicated object's channel carries, in words, for the inspector. */
  describeChannel(channel: string | undefined): string;
  /** Opens the page's objects and subscribes to them: before `join()`. */
  prepare(session: Session): Promise<void>;
  /** A view was installed (after the members panel and banner showed it). */
  viewed(view: View): void;
  /** The first view is installed: the page is live. */
  joined(): void;
  /** This person took another name. */
  renamed(name: string): void;
  /** The page's own figures for the status. */
  status(): Record<string, unknown>;
}

export class DemoShell {
  readonly params = readParams();
  readonly toaster = new Toaster();
  readonly groupStatus: GroupStatusView;
  private name = loadName();
  private phase: DemoStatus['phase'] = 'connecting';
  private failure: string | undefined;
  private current: Session | undefined;
  private inspector: InspectorPanel | undefined;

  constructor(private readonly spec: DemoSpec) {
    must('[data-room]', HTMLElement).textContent = this.params.room;
    wireInvite(document, inviteLink(spec.page, this.params.room));
    const nameInput = must('#my-name', HTMLInputElement);
    nameInput.value = this.name;
    nameInput.addEventListener('change', () => {
      this.name = saveName(nameInput.value, this.name);
      nameInput.value = this.name;
      spec.renamed(this.name);
      this.groupStatus.render();
    });
    this.groupStatus = new GroupStatusView(() => this.me, (member) => this.nameOf(member), (member) => this.colourOf(member));
    installDemoHandle(() => ({
      page: spec.page,
      phase: this.phase,
      ...(this.failure === undefined ? {} : { failure: this.failure }),
      processId: this.current?.process.id ?? '',
      me: this.me,
      view: this.current?.group.view,
      reported: this.current?.reported ?? [],
      ...(this.inspector === undefined ? {} : { inspector: this.inspector.summary() }),
      ...spec.status(),
    }));
  }

  /** This person's name. */
  get myName(): string {
    return this.name;
  }

  /** The session, once connected. */
  get session(): Session | undefined {
    return this.current;
  }

  /** This page's member id now ('' before joining; it changes when the tab rejoins). */
  get me(): string {
    return this.current?.group.me ?? '';
  }

  /** True once joined, while the installed view is primary: the page may change shared state. */
  get primary(): boolean {
    return this.phase === 'joined' && this.current?.group.view?.primary === true;
  }

  get isJoined(): boolean {
    return this.phase === 'joined';
  }

  nameOf(member: string): string {
    return this.spec.nameOf(member) ?? (member === this.me ? this.name : 'Someone joining');
  }

  colourOf(member: string): string {
    return this.spec.colourOf(member) ?? colourOf(member === this.me ? this.name : member);
  }

  /**
   * For the rejections of the page's updates: refused while this tab is cut off or gone is what the
   * banner says already; anything else is a problem worth reporting.
   */
  readonly refused = (error: unknown): void => {
    if (error instanceof Error && (error.name === 'NotPrimaryError' || error.name === 'GroupClosedError')) return;
    this.current?.report(error);
  };

  /** Connects, prepares, joins; shows why when it cannot. */
  start(): void {
    const veil = must('[data-veil]', HTMLElement);
    startSession({
      groupName: `${this.spec.page}/${this.params.room}`,
      params: this.params,
      ...(this.spec.joinOptions === undefined ? {} : { joinOptions: this.spec.joinOptions }),
      prepare: async (session) => {
        this.current = session;
        this.inspector = await InspectorPanel.start(must('[data-inspector]', HTMLElement), {
          group: session.group,
          network: session.network,
          myName: () => this.name,
          nameOf: (member) => this.spec.nameOf(member),
          describeChannel: (channel) => this.spec.describeChannel(channel),
          report: session.report,
        });
        await this.spec.prepare(session);
      },
    }, (view) => {
      this.groupStatus.showView(view);
      this.spec.viewed(view);
    }).then(() => {
      this.phase = 'joined';
      veil.hidden = true;
      this.spec.joined();
    }, (error: unknown) => {
      this.phase = 'failed';
      this.failure = describeError(error);
      veil.classList.add('failed');
      veil.textContent = error instanceof Error && error.name === 'SignalingError'
        ? `Cannot reach the signaling server (${this.params.signaling}). Is \`npm start\` running? ${error.message}`
        : `Could not join the room: ${this.failure}`;
      must('[data-testid="view-line"]', HTMLElement).textContent = 'Not connected';
    });
  }
}
