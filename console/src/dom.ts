import { render, type ComponentChild } from 'preact';

/**
 * Shows a component in `parent`, in place of whatever it showed: a page opened from the navigation
 * starts afresh (its own state, its own subscriptions), and nothing of the page before stays mounted.
 */
export const mount = (parent: HTMLElement, component: ComponentChild): void => {
  render(null, parent);
  parent.replaceChildren();
  render(component, parent);
};
