/** The console's DOM helpers on top of the shared ones; every write skips unchanged values (no flicker). */
import { el, setText } from '../shared/dom.js';

export { byId, el, setText, show } from '../shared/dom.js';

/** Text plus a hover title (the full id, the exact time). */
export function setTitled(element: HTMLElement, text: string, title: string): void {
  setText(element, text);
  if (element.title !== title) element.title = title;
}

export function setClass(element: HTMLElement, className: string, on: boolean): void {
  if (element.classList.contains(className) !== on) element.classList.toggle(className, on);
}

export function button(className: string, label: string, onClick: () => void): HTMLButtonElement {
  const element = el('button', className, label);
  element.type = 'button';
  element.addEventListener('click', onClick);
  return element;
}

/** A horizontal load bar (0..1) that turns amber at 70 % and red at 90 %. */
export function meter(): HTMLSpanElement {
  const bar = el('span', 'meter');
  bar.append(el('span', 'meter-fill'), el('span', 'meter-label'));
  return bar;
}

export function setMeter(bar: HTMLSpanElement, fraction: number, label: string): void {
  const clamped = Math.max(0, Math.min(1, fraction));
  const fill = bar.firstElementChild as HTMLSpanElement;
  const width = `${(clamped * 100).toFixed(1)}%`;
  if (fill.style.width !== width) fill.style.width = width;
  setClass(bar, 'warn', clamped >= 0.7 && clamped < 0.9);
  setClass(bar, 'bad', clamped >= 0.9);
  setText(bar.lastElementChild as HTMLSpanElement, label);
}
