/**
 * The drawing tools: a colour and a width, each a group of labelled radio buttons (so the keyboard
 * and screen readers get them for free).
 */
import { h, must } from '../shared/dom.js';

export const COLOURS: ReadonlyArray<readonly [name: string, hex: string]> = [
  ['Ink', '#1e293b'], ['Red', '#dc2626'], ['Orange', '#ea580c'], ['Yellow', '#eab308'], ['Green', '#16a34a'],
  ['Blue', '#2563eb'], ['Purple', '#9333ea'], ['Pink', '#db2777'], ['Eraser (paper white)', '#ffffff'],
];

export const WIDTHS: ReadonlyArray<readonly [name: string, px: number]> = [['Fine', 3], ['Medium', 8], ['Bold', 16], ['Marker', 32]];

/** The tool in hand. */
export interface Tool {
  readonly colour: string;
  readonly width: number;
}

/** Builds the colour and width pickers; returns a function that reads the current tool. */
export function buildTools(): () => Tool {
  const colours = must('[data-colours]', HTMLFieldSetElement);
  colours.append(...COLOURS.map(([name, hex], i) =>
    h('label', { class: 'swatch-option', title: name },
      h('input', { type: 'radio', name: 'colour', value: hex, checked: i === 0 }),
      h('span', { class: 'swatch-chip', style: `--chip:${hex}`, 'aria-hidden': 'true' }),
      h('span', { class: 'visually-hidden' }, name))));
  const widths = must('[data-widths]', HTMLFieldSetElement);
  widths.append(...WIDTHS.map(([name, px], i) =>
    h('label', { class: 'width-option', title: `${name} (${px} px)` },
      h('input', { type: 'radio', name: 'width', value: px, checked: i === 1 }),
      h('span', { class: 'width-dot', style: `--dot:${Math.min(px, 22)}px`, 'aria-hidden': 'true' }),
      h('span', { class: 'visually-hidden' }, name))));
  return () => ({
    colour: must('input[name="colour"]:checked', HTMLInputElement, colours).value,
    width: Number(must('input[name="width"]:checked', HTMLInputElement, widths).value),
  });
}
