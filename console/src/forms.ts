import { api } from './api.js';
import { h, show } from './dom.js';
import { meetingForms, startingForms, type MeetingState } from './formsCommands.js';
import { commandForm, refill, type Values } from './formsRender.js';
import type { Accepted } from './formsSubmission.js';
import { meetingLink } from './links.js';
import { changesAgenda, whileShown } from './live.js';

type Listed = { meetingId: string; title: string; status: string; startsAt: string };
type AgendaPage = { meetings: Listed[]; next: string | null };

/** A message for the whole page, focused so that a keyboard or screen-reader user hears it. */
const tell = (notice: HTMLElement, text: string): void => {
  notice.textContent = text;
  notice.focus();
};

const recorded = (accepted: Accepted): string =>
  accepted.events.length === 0
    ? 'Nothing to record: the ledger already holds this.'
    : `Recorded ${accepted.events.join(', ')} (revision ${accepted.revision}).`;

/** Draws the forms of one meeting; after each change, or a refusal for a stale revision, draws them again. */
const openMeeting = async (
  place: HTMLElement,
  notice: HTMLElement,
  meetingId: string,
  keep?: { form: string; values: Values },
): Promise<void> => {
  const meeting = await api<MeetingState>('GET', `/v1/meetings/${encodeURIComponent(meetingId)}`);
  const again = (kept?: { form: string; values: Values }) => void openMeeting(place, notice, meetingId, kept);
  const forms = meetingForms(meeting).map((spec) =>
    commandForm(spec, {
      accepted: (accepted) => {
        tell(notice, recorded(accepted));
        again();
      },
      refused: (refusal, values) => {
        if (refusal.status !== 412) return false;
        tell(
          notice,
          `${meeting.title} changed since these forms were drawn; they now show it at its latest revision. Check "${spec.legend}" and submit again.`,
        );
        again({ form: spec.id, values });
        return true;
      },
    }),
  );
  show(
    place,
    h(
      'p',
      { class: 'meeting-state' },
      meetingLink(meeting.meetingId, meeting.title),
      ` · ${meeting.status} · revision ${meeting.revision}`,
    ),
    ...forms,
  );
  const kept = forms.find((form) => form.id === keep?.form);
  if (kept && keep) refill(kept, keep.values);
};

/** The secretariat's forms: a new meeting or member, then the forms of a meeting chosen from the agenda. */
export const formsPage = async (main: HTMLElement): Promise<void> => {
  const notice = h('p', { id: 'forms-notice', role: 'status', tabindex: '-1' });
  const from = h('input', { id: 'forms-from', type: 'date', value: '1970-01-01' });
  const chooser = h('select', { id: 'forms-meeting' });
  const more = h('p', { class: 'hint' });
  const place = h('section', { id: 'meeting-forms' });
  const failed = (error: unknown) => tell(notice, `The ledger could not answer: ${String(error)}`);
  const choose = (meetingId: string) => {
    chooser.value = meetingId;
    if (meetingId === '') return show(place);
    void openMeeting(place, notice, meetingId).catch(failed);
  };
  /** The first page of meetings from the chosen day (the agenda's own page size), keeping the choice made. */
  const listMeetings = async (): Promise<void> => {
    const day = from.value || '1970-01-01';
    const page = await api<AgendaPage>('GET', `/v1/agenda?from=${encodeURIComponent(`${day}T00:00:00Z`)}`);
    const chosen = chooser.value;
    chooser.replaceChildren(
      h('option', { value: '' }, 'Choose a meeting…'),
      ...page.meetings.map((m) =>
        h('option', { value: m.meetingId }, `${m.startsAt.slice(0, 10)} · ${m.title} (${m.status})`),
      ),
    );
    chooser.value = chosen;
    more.textContent =
      page.next === null
        ? ''
        : `The first ${page.meetings.length} meetings from ${day}: choose a later day for others.`;
  };
  // New meetings, and changes of status, show in the list as they are recorded, wherever they were.
  const followChanges = (): Promise<void> => {
    whileShown(chooser, changesAgenda, followChanges);
    return listMeetings();
  };
  chooser.addEventListener('change', () => choose(chooser.value));
  from.addEventListener('change', () => void listMeetings().catch(failed));
  const starting = startingForms().map((spec) =>
    commandForm(spec, {
      accepted: (accepted) => {
        tell(notice, recorded(accepted));
        const meetingId = accepted.meetingId;
        if (spec.id === 'schedule' && meetingId !== undefined)
          void listMeetings().then(() => choose(meetingId), failed);
      },
    }),
  );
  show(
    main,
    h('h2', {}, 'Secretariat forms'),
    notice,
    h('section', { id: 'new-streams' }, ...starting),
    h(
      'section',
      { 'aria-labelledby': 'meeting-forms-title' },
      h('h3', { id: 'meeting-forms-title' }, 'Change a meeting'),
      h(
        'p',
        { class: 'chooser' },
        h('label', { for: 'forms-from' }, 'Meetings from '),
        from,
        ' ',
        h('label', { for: 'forms-meeting' }, 'Meeting '),
        chooser,
      ),
      more,
      place,
    ),
  );
  await followChanges();
};
