/**
 * A short notice at the bottom of the page (a stroke that could not be saved, a player who left),
 * read out by screen readers.
 */
import { must } from './dom.js';

const SHOW_MS = 4000;

export class Toaster {
  private readonly element = must('[data-toast]', HTMLElement);
  private timer: ReturnType<typeof setTimeout> | undefined;

  show(text: string): void {
    this.element.textContent = text;
    this.element.hidden = false;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.element.hidden = true;
    }, SHOW_MS);
  }
}
