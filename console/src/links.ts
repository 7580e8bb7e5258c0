import { h } from './dom.js';

/**
 * Pages other pages link to live in the location hash (`#/meetings/<id>`): real links, so they open
 * with the keyboard, in a new tab and with the back button.
 */
export const meetingHref = (meetingId: string): string => `#/meetings/${encodeURIComponent(meetingId)}`;

export const meetingLink = (meetingId: string, text: string): HTMLAnchorElement =>
  h('a', { href: meetingHref(meetingId), class: 'meeting-link' }, text);

export type Linked = { page: 'meeting'; meetingId: string };

/** The page a location hash names, if any. */
export const linkedPage = (hash: string): Linked | undefined => {
  const meeting = /^#\/meetings\/([^/]+)$/.exec(hash);
  return meeting?.[1] ? { page: 'meeting', meetingId: decodeURIComponent(meeting[1]) } : undefined;
};
