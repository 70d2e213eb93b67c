/**
 * The little DOM help the pages need: typed lookups that fail loudly when the markup and the code
 * disagree, and a small element builder.
 */

/** The element matching `selector` under `root`, of type `type`; throws when missing (a page bug). */
export function must<T extends Element>(selector: string, type: abstract new (...args: never[]) => T, root: ParentNode = document): T {
  const found = root.querySelector(selector);
  if (!(found instanceof type)) throw new Error(`the page has no ${type.name} matching ${selector}`);
  return found;
}

type Attributes = Record<string, string | number | boolean | undefined>;

/**
 * Creates an element: `attributes` set as attributes (`true` as an empty one, `false`/`undefined`
 * skipped), `children` appended (strings as text).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...children);
  return element;
}

/** Collects clean-up functions and runs them all once. */
export class Disposer {
  private readonly actions: Array<() => void> = [];

  add(action: () => void): void {
    this.actions.push(action);
  }

  /** Adds an event listener and its removal. */
  listen<E extends Event>(target: EventTarget, type: string, listener: (event: E) => void, options?: AddEventListenerOptions): void {
    const wrapped = listener as EventListener;
    target.addEventListener(type, wrapped, options);
    this.add(() => target.removeEventListener(type, wrapped, options));
  }

  /** Runs `callback` every `ms` until disposed. */
  every(ms: number, callback: () => void): void {
    const timer = setInterval(callback, ms);
    this.add(() => clearInterval(timer));
  }

  dispose(): void {
    for (const action of this.actions.splice(0).reverse()) action();
  }
}
