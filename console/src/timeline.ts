import { api } from './api.js';
import { h, show } from './dom.js';
import { changesTimeline, whileShown } from './live.js';

type Entry = {
  outcomeId: string;
  theatre: string;
  stage: string;
  summary: string;
  date: string;
  regression: boolean;
  corrected: boolean;
};
type TimelinePage = { entries: Entry[]; next: string | null };

/** The ladder a theatre climbs, bottom to top. */
const STAGES = ['contested', 'offensive-underway', 'verge-of-liberation', 'liberated', 'stabilization'];
const LANE = { width: 720, height: 130, left: 150, right: 20, top: 10, bottom: 24 };
const SVG = 'http://www.w3.org/2000/svg';

const svg = (tag: string, attributes: Record<string, string | number>, text?: string): SVGElement => {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
};

const dayNumber = (date: string): number => Date.parse(`${date}T00:00:00Z`) / 86_400_000;

/** One theatre's lane: its outcomes over business dates, each at its stage, joined as steps. */
const lane = (theatre: string, entries: Entry[], domain: [number, number]): SVGElement => {
  const plotWidth = LANE.width - LANE.left - LANE.right;
  const plotHeight = LANE.height - LANE.top - LANE.bottom;
  const span = Math.max(domain[1] - domain[0], 1);
  const x = (date: string) => LANE.left + ((dayNumber(date) - domain[0]) / span) * plotWidth;
  const y = (stage: string) => LANE.top + plotHeight - (STAGES.indexOf(stage) / (STAGES.length - 1)) * plotHeight;
  const chart = svg('svg', {
    viewBox: `0 0 ${LANE.width} ${LANE.height}`,
    role: 'img',
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
  for (const entry of entries) {
    const point = svg('circle', {
      cx: x(entry.date),
      cy: y(entry.stage),
      r: 6,
      class: `point${entry.regression ? ' regression' : ''}${entry.corrected ? ' corrected' : ''}`,
      'data-stage': entry.stage,
      'data-date': entry.date,
    });
    point.append(svg('title', {}, `${entry.date} · ${entry.stage}: ${entry.summary}`));
    chart.append(point);
  }
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

/** The progress timeline: one lane per theatre, on a shared date axis. */
export const timelinePage = async (main: HTMLElement): Promise<void> => {
  const section = h('section', { id: 'timeline', 'aria-busy': 'true' }, h('p', {}, 'Loading the timeline…'));
  show(main, h('h2', {}, 'Progress timeline'), section);
  whileShown(section, changesTimeline, () => timelinePage(main));
  const page = await api<TimelinePage>('GET', '/v1/timeline?limit=100');
  section.setAttribute('aria-busy', 'false');
  if (page.entries.length === 0) return show(section, h('p', {}, 'No outcomes recorded yet.'));
  const days = page.entries.map((entry) => dayNumber(entry.date));
  const domain: [number, number] = [Math.min(...days), Math.max(...days)];
  const theatres = new Map<string, Entry[]>();
  for (const entry of page.entries) theatres.set(entry.theatre, [...(theatres.get(entry.theatre) ?? []), entry]);
  show(
    section,
    ...[...theatres].map(([theatre, entries]) =>
      h('figure', {}, h('figcaption', {}, theatre), lane(theatre, entries, domain)),
    ),
    page.next !== null && h('p', {}, 'Showing the first 100 outcomes.'),
  );
};
