import { api } from './api.js';
import { h, show } from './dom.js';
import { csvButton } from './downloads.js';
import { showFailure } from './failure.js';
import { meetingHref } from './links.js';
import { changesTimeline, whileShown } from './live.js';

type Entry = {
  outcomeId: string;
  meetingId: string;
  theatre: string;
  stage: string;
  summary: string;
  date: string;
  regression: boolean;
  corrected: boolean;
};
type TimelinePage = { position: number; entries: Entry[]; next: string | null };

/** The ladder a theatre climbs, bottom to top. */
const STAGES = ['contested', 'offensive-underway', 'verge-of-liberation', 'liberated', 'stabilization'];
const LANE = { width: 720, height: 130, left: 150, right: 20, top: 10, bottom: 24 };
const SVG = 'http://www.w3.org/2000/svg';
const INSET = 14;

const svg = (tag: string, attributes: Record<string, string | number>, text?: string): SVGElement => {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
};

const dayNumber = (date: string): number => Date.parse(`${date}T00:00:00Z`) / 86_400_000;

const describe = (entry: Entry): string =>
  `${entry.date} · ${entry.stage}${entry.regression ? ' (regression)' : ''}${entry.corrected ? ' (corrected)' : ''}: ${entry.summary}`;

/**
 * An outcome on its lane: a link to its meeting. A regression is red with a ▼ beside it, a corrected
 * outcome hollow with a ✎: the marks do not rest on colour alone.
 */
const pointLink = (entry: Entry, cx: number, cy: number): SVGElement => {
  const link = svg('a', { href: meetingHref(entry.meetingId), 'aria-label': describe(entry), class: 'point-link' });
  const point = svg('circle', {
    cx,
    cy,
    r: 6,
    class: `point${entry.regression ? ' regression' : ''}${entry.corrected ? ' corrected' : ''}`,
    'data-stage': entry.stage,
    'data-date': entry.date,
    'data-outcome-id': entry.outcomeId,
  });
  point.append(svg('title', {}, describe(entry)));
  link.append(point);
  const marks: [string, string][] = [];
  if (entry.regression) marks.push(['regression', '▼']);
  if (entry.corrected) marks.push(['corrected', '✎']);
  marks.forEach(([kind, glyph], i) =>
    link.append(svg('text', { x: cx + 9 + i * 12, y: cy + 4, class: `mark ${kind}`, 'aria-hidden': 'true' }, glyph)),
  );
  return link;
};

/** One theatre's lane: its outcomes over business dates, each at its stage, joined as steps. */
const lane = (theatre: string, entries: Entry[], domain: [number, number]): SVGElement => {
  const plotWidth = LANE.width - LANE.left - LANE.right;
  const plotHeight = LANE.height - LANE.top - LANE.bottom;
  const span = Math.max(domain[1] - domain[0], 1);
  // Inset from the rungs' ends, so a point on the first or last day stays clear of the stage names.
  const x = (date: string) => LANE.left + INSET + ((dayNumber(date) - domain[0]) / span) * (plotWidth - 2 * INSET);
  const y = (stage: string) => LANE.top + plotHeight - (STAGES.indexOf(stage) / (STAGES.length - 1)) * plotHeight;
  const chart = svg('svg', {
    viewBox: `0 0 ${LANE.width} ${LANE.height}`,
    role: 'group', // not 'img': an image's children are hidden, and these points are links
    'aria-label': `${theatre}: ${entries.map((e) => `${e.stage} on ${e.date}`).join(', ')}`,
    class: 'lane',
    'data-theatre': theatre,
  });
  for (const stage of STAGES) {
    chart.append(
      svg('line', { x1: LANE.left, x2: LANE.width - LANE.right, y1: y(stage), y2: y(stage), class: 'rung' }),
    );
    chart.append(svg('text', { x: LANE.left - 6, y: y(stage) + 4, 'text-anchor': 'end', class: 'stage' }, stage));
  }
  chart.append(svg('polyline', { points: entries.map((e) => `${x(e.date)},${y(e.stage)}`).join(' '), class: 'path' }));
  for (const entry of entries) chart.append(pointLink(entry, x(entry.date), y(entry.stage)));
  chart.append(
    svg(
      'text',
      { x: LANE.left, y: LANE.height - 6, class: 'date' },
      new Date(domain[0] * 86_400_000).toISOString().slice(0, 10),
    ),
  );
  chart.append(
    svg(
      'text',
      { x: LANE.width - LANE.right, y: LANE.height - 6, 'text-anchor': 'end', class: 'date' },
      new Date(domain[1] * 86_400_000).toISOString().slice(0, 10),
    ),
  );
  return chart;
};

const LEGEND = h(
  'p',
  { class: 'legend' },
  'Each point is an outcome; open it for its meeting. ',
  h('span', { class: 'swatch regression' }, '▼'),
  ' a regression down the ladder, ',
  h('span', { class: 'swatch corrected' }, '✎'),
  ' an outcome amended or retracted since.',
);

/** The lanes of one page of entries, on a date axis shared by every position the slider reaches. */
const lanes = (page: TimelinePage, domain: [number, number]): HTMLElement[] => {
  if (page.entries.length === 0) return [h('p', {}, 'No outcomes recorded at this position.')];
  const theatres = new Map<string, Entry[]>();
  for (const entry of page.entries) theatres.set(entry.theatre, [...(theatres.get(entry.theatre) ?? []), entry]);
  return [
    ...[...theatres].map(([theatre, entries]) =>
      h('figure', {}, h('figcaption', {}, theatre), lane(theatre, entries, domain)),
    ),
    ...(page.next === null ? [] : [h('p', {}, 'Showing the first 100 outcomes.')]),
  ];
};

type Recorded = { events: { position: number; recordedAt: string }[] };

/** When the ledger recorded the event at `position`, to show beside the slider. */
const recordedAt = async (position: number): Promise<string> => {
  const { events } = await api<Recorded>('GET', `/v1/events?after=${position - 1}&limit=1`);
  return events[0]?.position === position ? `, recorded ${events[0].recordedAt}` : '';
};

/**
 * A range input over the log's positions: moving it (pointer or arrow keys) redraws the chart as the
 * timeline stood at that position (`asOf`), on the same axes.
 */
const asOfSlider = (latest: number, redraw: (position: number) => Promise<void>): HTMLElement => {
  const input = h('input', {
    id: 'timeline-as-of',
    type: 'range',
    min: '1',
    max: String(latest),
    step: '1',
    value: String(latest),
    'aria-describedby': 'timeline-as-of-shown',
  });
  const shown = h('output', { id: 'timeline-as-of-shown', for: 'timeline-as-of', 'aria-live': 'polite' });
  // The recorded time is a courtesy: without it the position alone is shown.
  const tell = (position: number): void => {
    shown.textContent = `Position ${position} of ${latest}`;
    void recordedAt(position).then((time) => {
      if (input.value === String(position)) shown.textContent = `Position ${position} of ${latest}${time}`;
    }, console.warn);
  };
  tell(latest);
  input.addEventListener('change', () => {
    const position = Number(input.value);
    tell(position);
    void redraw(position);
  });
  return h('p', { class: 'slider' }, h('label', { for: 'timeline-as-of' }, 'As of position'), input, shown);
};

/** The progress timeline: one lane per theatre on a shared date axis, and a slider back through the log. */
export const timelinePage = async (main: HTMLElement): Promise<void> => {
  const section = h('section', { id: 'timeline', 'aria-busy': 'true' }, h('p', {}, 'Loading the timeline…'));
  show(main, h('h2', {}, 'Progress timeline'), h('p', {}, csvButton('/v1/timeline', 'timeline.csv')), section);
  // Drawn again as outcomes change, unless the slider shows the past: a reader looking back is not moved.
  const atLatest = () => {
    const slider = section.querySelector<HTMLInputElement>('#timeline-as-of');
    return slider === null || slider.value === slider.max;
  };
  whileShown(
    section,
    (event) => changesTimeline(event) && atLatest(),
    () => timelinePage(main),
  );
  const page = await api<TimelinePage>('GET', '/v1/timeline?limit=100').catch(showFailure(section));
  if (!page) return;
  section.setAttribute('aria-busy', 'false');
  if (page.entries.length === 0) return show(section, h('p', {}, 'No outcomes recorded yet.'));
  const days = page.entries.map((entry) => dayNumber(entry.date));
  const domain: [number, number] = [Math.min(...days), Math.max(...days)];
  const chart = h('div', { id: 'timeline-chart', 'data-position': String(page.position) }, ...lanes(page, domain));
  let wanted = page.position;
  const redraw = async (position: number): Promise<void> => {
    wanted = position;
    chart.setAttribute('aria-busy', 'true');
    const then = await api<TimelinePage>('GET', `/v1/timeline?limit=100&asOf=${position}`).catch(showFailure(chart));
    // A slider moved quickly sends requests that may answer out of order: only the last one drawn counts.
    if (!then || position !== wanted) return;
    chart.setAttribute('aria-busy', 'false');
    chart.setAttribute('data-position', String(position));
    const thenDays = then.entries.map((entry) => dayNumber(entry.date));
    show(chart, ...lanes(then, [Math.min(domain[0], ...thenDays), Math.max(domain[1], ...thenDays)]));
  };
  show(section, asOfSlider(page.position, redraw), LEGEND, chart);
};
