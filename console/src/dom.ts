import { render, type ComponentChild } from 'preact';

type Child = Node | string | null | undefined | false;
type Attributes = Record<string, string | boolean | undefined>;

/**
 * An element with its attributes and children. Text goes in as text nodes, never as HTML, so
 * nothing the ledger recorded (titles, names, reasons) can turn into markup.
 */
export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) element.setAttribute(name, '');
    else if (typeof value === 'string') element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
};

/** Replaces what `parent` shows (unmounting the components it showed, if any). */
export const show = (parent: HTMLElement, ...children: Child[]): void => {
  render(null, parent);
  parent.replaceChildren(...children.filter((child): child is Node | string => Boolean(child)));
};

/**
 * Shows a component in `parent`, in place of whatever it showed: a page opened from the navigation
 * starts afresh (its own state, its own subscriptions), and nothing of the page before stays mounted.
 */
export const mount = (parent: HTMLElement, component: ComponentChild): void => {
  render(null, parent);
  parent.replaceChildren();
  render(component, parent);
};
