import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from './api.js';
import { mount } from './dom.js';
import { CsvButton } from './downloads.js';
import { Failure } from './failure.js';
import { changesTimeline, useLiveRead } from './live.js';
import { LiveSection } from './liveSection.js';
import { useLaneChart, type LaneChart } from './laneChartLoader.js';
import { dayOf, type Entry } from './timelineEntry.js';

type TimelinePage = { position: number; entries: Entry[]; next: string | null };

const latestTimeline = () => api<TimelinePage>('GET', '/v1/timeline?limit=100');

/** The dates every lane spans: the latest entries' and those shown, so the axis stays put as the slider moves. */
const spanOf = (...pages: TimelinePage[]): [Date, Date] => {
  const days = pages.flatMap((page) => page.entries.map((entry) => dayOf(entry.date).getTime()));
  return [new Date(Math.min(...days)), new Date(Math.max(...days))];
};

type LaneProps = { chart: LaneChart; theatre: string; entries: Entry[]; domain: [Date, Date] };

/**
 * One theatre's lane: Plot draws it afresh for new entries; a point that had the keyboard focus
 * has it again in the new drawing.
 */
const Lane = ({ chart, theatre, entries, domain }: LaneProps) => {
  const holder = useRef<HTMLDivElement>(null);
  const [from, to] = [domain[0].getTime(), domain[1].getTime()];
  useLayoutEffect(() => {
    const place = holder.current;
    if (!place) return;
    const focused = place.contains(document.activeElement)
      ? document.activeElement?.querySelector('circle')?.dataset.outcomeId
      : undefined;
    place.replaceChildren(chart(theatre, entries, [new Date(from), new Date(to)]));
    if (focused === undefined) return;
    const again = place.querySelector(`circle[data-outcome-id="${CSS.escape(focused)}"]`)?.parentElement;
    if (again instanceof SVGElement) again.focus();
  }, [chart, theatre, entries, from, to]);
  return (
    <figure>
      <figcaption>{theatre}</figcaption>
      <div ref={holder} class="lane-holder" />
    </figure>
  );
};

/** The lanes of one page of entries, on a date axis shared by every position the slider reaches. */
const Lanes = ({ chart, page, domain }: { chart: LaneChart; page: TimelinePage; domain: [Date, Date] }) => {
  // Grouped once a page: each lane redraws (with Plot) when its entries change, not on every render.
  const theatres = useMemo(() => {
    const grouped = new Map<string, Entry[]>();
    for (const entry of page.entries) grouped.set(entry.theatre, [...(grouped.get(entry.theatre) ?? []), entry]);
    return grouped;
  }, [page]);
  if (page.entries.length === 0) return <p>No outcomes recorded at this position.</p>;
  return (
    <>
      {[...theatres].map(([theatre, entries]) => (
        <Lane key={theatre} chart={chart} theatre={theatre} entries={entries} domain={domain} />
      ))}
      {page.next !== null && <p>Showing the first 100 outcomes.</p>}
    </>
  );
};

type Recorded = { events: { position: number; recordedAt: string }[] };

/** The position the slider shows, and (a courtesy: without it the position alone) when the ledger recorded it. */
const AsOfShown = ({ position, latest }: { position: number; latest: number }) => {
  const [recorded, setRecorded] = useState({ position, at: '' });
  useEffect(() => {
    let current = true;
    api<Recorded>('GET', `/v1/events?after=${position - 1}&limit=1`).then(({ events }) => {
      const at = events[0]?.position === position ? `, recorded ${events[0].recordedAt}` : '';
      if (current) setRecorded({ position, at });
    }, console.warn);
    return () => (current = false);
  }, [position]);
  return (
    <output id="timeline-as-of-shown" for="timeline-as-of" aria-live="polite">
      {`Position ${position} of ${latest}${recorded.position === position ? recorded.at : ''}`}
    </output>
  );
};

const Legend = () => (
  <p class="legend">
    {'Each point is an outcome; open it for its meeting. '}
    <span class="swatch regression">▼</span>
    {' a regression down the ladder, '}
    <span class="swatch corrected">✎</span>
    {' an outcome amended or retracted since.'}
  </p>
);

/**
 * The chart as the timeline stood at `position` (`asOf`), or as it stands now. A slider moved quickly
 * sends requests that may answer out of order: only the last one asked for is drawn.
 */
const useAsOf = (latest: TimelinePage, position: number) => {
  // A failure belongs to the position that failed: the next position shows its own answer.
  const [past, setPast] = useState<{ page?: TimelinePage; failed?: { position: number; error: unknown } }>({});
  const atLatest = position === latest.position;
  useEffect(() => {
    if (atLatest) return;
    let current = true;
    api<TimelinePage>('GET', `/v1/timeline?limit=100&asOf=${position}`).then(
      (page) => current && setPast({ page }),
      (error: unknown) => current && setPast((was) => ({ page: was.page, failed: { position, error } })),
    );
    return () => (current = false);
  }, [position, atLatest]);
  if (atLatest) return { page: latest, busy: false };
  const failure = past.failed?.position === position ? past.failed : undefined;
  // Until the past answers, the chart shows what it showed.
  return { page: past.page ?? latest, failure, busy: past.page?.position !== position && failure === undefined };
};

/** The slider back through the log and the lanes it shows. */
const Chart = ({ chart, latest }: { chart: LaneChart; latest: TimelinePage }) => {
  // Following the latest position (`undefined`), the chart moves as outcomes are recorded; a reader
  // looking back is not moved.
  const [chosen, choose] = useState<number | undefined>(undefined);
  const position = chosen ?? latest.position;
  const shown = useAsOf(latest, position);
  const move = (event: Event) => {
    const value = Number((event.currentTarget as HTMLInputElement).value);
    choose(value === latest.position ? undefined : value);
  };
  return (
    <>
      <p class="slider">
        <label for="timeline-as-of">As of position</label>
        <input
          id="timeline-as-of"
          type="range"
          min="1"
          max={latest.position}
          step="1"
          value={position}
          aria-describedby="timeline-as-of-shown"
          onChange={move}
        />
        <AsOfShown position={position} latest={latest.position} />
      </p>
      <Legend />
      <div id="timeline-chart" data-position={shown.page?.position} aria-busy={shown.busy ? 'true' : 'false'}>
        {shown.failure ? (
          <Failure error={shown.failure.error} />
        ) : (
          shown.page && <Lanes chart={chart} page={shown.page} domain={spanOf(latest, shown.page)} />
        )}
      </div>
    </>
  );
};

/** The progress timeline: one lane per theatre on a shared date axis, and a slider back through the log. */
const Timeline = () => {
  const read = useLiveRead(latestTimeline, '', changesTimeline);
  const { chart, failure } = useLaneChart();
  const draw = (latest: TimelinePage) =>
    latest.entries.length === 0 ? (
      <p>No outcomes recorded yet.</p>
    ) : chart ? (
      <Chart chart={chart} latest={latest} />
    ) : failure === undefined ? (
      <p>Loading the chart…</p>
    ) : (
      <p role="alert">
        The chart could not be loaded (the console may have been updated since this page was opened): reload the page.
      </p>
    );
  return (
    <>
      <h2>Progress timeline</h2>
      <p>
        <CsvButton path="/v1/timeline" name="timeline.csv" />
      </p>
      <LiveSection id="timeline" read={read} loading="Loading the timeline…" draw={draw} />
    </>
  );
};

export const timelinePage = (main: HTMLElement): Promise<void> => {
  mount(main, <Timeline />);
  return Promise.resolve();
};
