import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.js';
import { mount } from './dom.js';
import { meetingForms, startingForms, type MeetingState } from './formsCommands.js';
import { CommandForm, type CommandFormSpec, type Values } from './formsRender.js';
import type { Accepted } from './formsSubmission.js';
import { meetingHref } from './links.js';
import { changesAgenda, onLive } from './live.js';
import { reasonOf } from './failure.js';

type Listed = { meetingId: string; title: string; status: string; startsAt: string };
type AgendaPage = { meetings: Listed[]; next: string | null };
/** A meeting's forms as drawn: `drawn` counts the drawings, `kept` is what a refused form had typed in it. */
type Drawn = { meeting: MeetingState; drawn: number; kept?: { form: string; values: Values } };

const recorded = (accepted: Accepted): string =>
  accepted.events.length === 0
    ? 'Nothing to record: the ledger already holds this.'
    : `Recorded ${accepted.events.join(', ')} (revision ${accepted.revision}).`;

/** A read's answer, or its failure, if it is still the last one asked for when it arrives; else undefined. */
const latest = async <T,>(read: Promise<T>, last: () => boolean): Promise<T | undefined> => {
  try {
    const answer = await read;
    return last() ? answer : undefined;
  } catch (error) {
    if (last()) throw error;
    return undefined;
  }
};

type FoldedProps = {
  spec: CommandFormSpec;
  open: string | undefined;
  setOpen: (open: (was?: string) => string | undefined) => void;
  children: ComponentChildren;
};

/**
 * One command's form, folded under its name: the page lists the commands, and opening one closes the
 * one open before (a summary opens with Enter or Space like a button).
 */
const Folded = ({ spec, open, setOpen, children }: FoldedProps) => {
  const toggled = (event: Event) => {
    const opened = (event.currentTarget as HTMLDetailsElement).open;
    setOpen((was) => (opened ? spec.id : was === spec.id ? undefined : was));
  };
  return (
    <details id={`${spec.id}-command`} class="command" name="command" open={open === spec.id} onToggle={toggled}>
      <summary>{spec.legend}</summary>
      {children}
    </details>
  );
};

/** The secretariat's forms: a new meeting or member, then the forms of a meeting chosen from the agenda. */
const Forms = () => {
  const [notice, setNotice] = useState({ text: '', told: 0 });
  const [open, setOpen] = useState<string>();
  const [cleared, setCleared] = useState<Record<string, number>>({});
  const [listed, setListed] = useState<{ page: AgendaPage; day: string }>();
  const [chosen, setChosen] = useState('');
  const [drawn, setDrawn] = useState<Drawn>();
  const noticeShown = useRef<HTMLParagraphElement>(null);
  const from = useRef<HTMLInputElement>(null);

  // A message for the whole page, focused so that a keyboard or screen-reader user hears it.
  const tell = (text: string) => setNotice((was) => ({ text, told: was.told + 1 }));
  useEffect(() => {
    if (notice.told > 0) noticeShown.current?.focus();
  }, [notice]);
  const failed = (error: unknown) => tell(`The ledger could not answer: ${reasonOf(error)}`);

  // Reads answer out of order (a meeting chosen, then another; a day changed during a live refresh):
  // only the last one asked for is shown, or the forms would submit to a meeting the chooser no longer shows.
  const asked = useRef({ draw: 0, list: 0 });

  /** Draws the forms of one meeting; after each change, or a refusal for a stale revision, draws them again. */
  const draw = async (meetingId: string, kept?: Drawn['kept']): Promise<void> => {
    const drawing = ++asked.current.draw;
    const meeting = await latest(
      api<MeetingState>('GET', `/v1/meetings/${encodeURIComponent(meetingId)}`),
      () => drawing === asked.current.draw,
    );
    if (meeting) setDrawn((was) => ({ meeting, drawn: (was?.drawn ?? 0) + 1, kept }));
  };
  const choose = (meetingId: string) => {
    setChosen(meetingId);
    if (meetingId !== '') return void draw(meetingId).catch(failed);
    asked.current.draw++;
    setDrawn(undefined);
  };
  /** The first page of meetings from the chosen day (the agenda's own page size). */
  const listMeetings = async (): Promise<void> => {
    const listing = ++asked.current.list;
    const day = from.current?.value || '1970-01-01';
    const page = await latest(
      api<AgendaPage>('GET', `/v1/agenda?from=${encodeURIComponent(`${day}T00:00:00Z`)}`),
      () => listing === asked.current.list,
    );
    if (page) setListed({ page, day });
  };
  // New meetings, and changes of status, show in the list as they are recorded, wherever they were.
  useEffect(() => {
    // Listening starts before the first read, so no event that read may miss goes unseen.
    const stop = onLive(changesAgenda, () => void listMeetings().catch(failed));
    listMeetings().catch(failed);
    return stop;
  }, []);

  const starting = startingForms().map((spec) => (
    <Folded key={spec.id} spec={spec} open={open} setOpen={setOpen}>
      <CommandForm
        key={cleared[spec.id] ?? 0}
        spec={spec}
        handlers={{
          accepted: (accepted) => {
            tell(recorded(accepted));
            setCleared((was) => ({ ...was, [spec.id]: (was[spec.id] ?? 0) + 1 }));
            const meetingId = accepted.meetingId;
            if (spec.id === 'schedule' && meetingId !== undefined) listMeetings().then(() => choose(meetingId), failed);
          },
        }}
      />
    </Folded>
  ));
  const meeting = drawn?.meeting;
  const changing =
    meeting &&
    meetingForms(meeting).map((spec) => (
      <Folded key={spec.id} spec={spec} open={open} setOpen={setOpen}>
        <CommandForm
          key={drawn.drawn}
          spec={spec}
          kept={drawn.kept?.form === spec.id ? drawn.kept.values : undefined}
          handlers={{
            accepted: (accepted) => {
              tell(recorded(accepted));
              draw(meeting.meetingId).catch(failed);
            },
            refused: (refusal, values) => {
              if (refusal.status !== 412) return false;
              tell(
                `${meeting.title} changed since these forms were drawn; they now show it at its latest revision. Check "${spec.legend}" and submit again.`,
              );
              draw(meeting.meetingId, { form: spec.id, values }).catch(failed);
              return true;
            },
          }}
        />
      </Folded>
    ));
  const page = listed?.page;
  return (
    <>
      <h2>Secretariat forms</h2>
      <p ref={noticeShown} id="forms-notice" role="status" tabIndex={-1}>
        {notice.text}
      </p>
      <p class="hint">Open a command to see its form; one form is open at a time.</p>
      <section id="new-streams" aria-labelledby="new-streams-title">
        <h3 id="new-streams-title">A new meeting or member</h3>
        {starting}
      </section>
      <section aria-labelledby="meeting-forms-title">
        <h3 id="meeting-forms-title">Change a meeting</h3>
        <p class="chooser">
          <label for="forms-from">Meetings from </label>
          <input
            ref={from}
            id="forms-from"
            type="date"
            defaultValue="1970-01-01"
            onChange={() => void listMeetings().catch(failed)}
          />{' '}
          <label for="forms-meeting">Meeting </label>
          <select id="forms-meeting" value={chosen} onChange={(event) => choose(event.currentTarget.value)}>
            <option value="">Choose a meeting…</option>
            {page?.meetings.map((m) => (
              <option key={m.meetingId} value={m.meetingId}>
                {`${m.startsAt.slice(0, 10)} · ${m.title} (${m.status})`}
              </option>
            ))}
          </select>
        </p>
        <p class="hint">
          {page && page.next !== null
            ? `The first ${page.meetings.length} meetings from ${listed.day}: choose a later day for others.`
            : ''}
        </p>
        <section id="meeting-forms">
          {meeting && (
            <p class="meeting-state">
              <a href={meetingHref(meeting.meetingId)} class="meeting-link">
                {meeting.title}
              </a>
              {` · ${meeting.status} · revision ${meeting.revision}`}
            </p>
          )}
          {changing}
        </section>
      </section>
    </>
  );
};

export const formsPage = (main: HTMLElement): Promise<void> => {
  mount(main, <Forms />);
  return Promise.resolve();
};
