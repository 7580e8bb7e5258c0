/**
 * Pages other pages link to live in the location hash (`#/meetings/<id>`): real links, so they open
 * with the keyboard, in a new tab and with the back button.
 */
export const meetingHref = (meetingId: string): string => `#/meetings/${encodeURIComponent(meetingId)}`;

/** The audit page, checking the inclusion of the event at `position`. */
export const auditHref = (position: number): string => `#/audit/${position}`;

export type Linked = { page: 'meeting'; meetingId: string } | { page: 'audit'; position: number };

/** The page a location hash names, if any. */
export const linkedPage = (hash: string): Linked | undefined => {
  const meeting = /^#\/meetings\/([^/]+)$/.exec(hash);
  if (meeting?.[1]) return { page: 'meeting', meetingId: decodeURIComponent(meeting[1]) };
  const audit = /^#\/audit\/(\d{1,15})$/.exec(hash);
  return audit?.[1] ? { page: 'audit', position: Number(audit[1]) } : undefined;
};
