/**
 * `window.synchronyDemo`: a read-only look at where a demo page stands (its view, its objects'
 * figures, what it reported), for the end-to-end tests and for the curious in the console.
 */
import type { View } from '@synchrony/core';
import type { InspectorSummary } from '../inspector/panel.js';

/** What every demo page reports; each page adds its own figures. */
export interface DemoStatus {
  readonly page: 'whiteboard' | 'room';
  /** 'connecting', 'joined', or 'failed' (then `failure` says why). */
  readonly phase: 'connecting' | 'joined' | 'failed';
  readonly failure?: string;
  readonly processId: string;
  readonly me: string;
  readonly view: View | undefined;
  /** Non-fatal problems the page reported (a peer's bad frame, a store that failed). */
  readonly reported: readonly string[];
  readonly inspector?: InspectorSummary;
  readonly [key: string]: unknown;
}

export interface DemoHandle {
  status(): DemoStatus;
}

declare global {
  interface Window {
    synchronyDemo?: DemoHandle;
  }
}

/** A plain copy (no frozen arrays or prototypes) that survives `page.evaluate`. */
export function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Installs the page's handle. */
export function installDemoHandle(status: () => DemoStatus): void {
  window.synchronyDemo = { status: () => plain(status()) };
}

export const describeError = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
