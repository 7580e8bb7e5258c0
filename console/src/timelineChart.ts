import * as Plot from '@observablehq/plot';
import { meetingHref } from './links.js';
import { dayOf, type Entry } from './timelineEntry.js';

/** The ladder a theatre climbs, bottom to top. */
const STAGES = ['contested', 'offensive-underway', 'verge-of-liberation', 'liberated', 'stabilization'];
const LANE = { width: 720, height: 130, left: 150, right: 20, top: 10, bottom: 24 };
/** Inset from the rungs' ends, so a point on the first or last day stays clear of the stage names. */
const INSET = 14;

const describe = (entry: Entry): string =>
  `${entry.date} · ${entry.stage}${entry.regression ? ' (regression)' : ''}${entry.corrected ? ' (corrected)' : ''}: ${entry.summary}`;

/** A glyph beside a point, so that a regression or a correction is not told by colour alone. */
type Mark = { entry: Entry; kind: 'regression' | 'corrected'; glyph: string; slot: number };

const marksOf = (entries: Entry[]): Mark[] =>
  entries.flatMap((entry) => {
    const marks: Omit<Mark, 'slot'>[] = [];
    if (entry.regression) marks.push({ entry, kind: 'regression', glyph: '▼' });
    if (entry.corrected) marks.push({ entry, kind: 'corrected', glyph: '✎' });
    return marks.map((mark, slot) => ({ ...mark, slot }));
  });

/** The elements Plot drew for a mark, in the order of its index (Plot draws them so). */
const drawn = <E extends Element>(group: SVGElement | null, selector: string): E[] =>
  group ? [...group.querySelectorAll<E>(selector)] : [];

/**
 * Each point a link to its meeting, named for screen readers; its class and data attributes say
 * its stage, date and marks (the styles and the tests read them).
 */
const linkedPoints =
  (entries: Entry[]): Plot.RenderFunction =>
  (index, scales, values, dimensions, context, next) => {
    const group = next?.(index, scales, values, dimensions, context) ?? null;
    drawn<SVGCircleElement>(group, 'circle').forEach((circle, k) => {
      const entry = entries[index[k] ?? -1];
      if (!entry) return;
      circle.setAttribute(
        'class',
        `point${entry.regression ? ' regression' : ''}${entry.corrected ? ' corrected' : ''}`,
      );
      circle.dataset.stage = entry.stage;
      circle.dataset.date = entry.date;
      circle.dataset.outcomeId = entry.outcomeId;
      const link = circle.parentElement;
      link?.setAttribute('class', 'point-link');
      link?.setAttribute('aria-label', describe(entry));
    });
    return group;
  };

/** The glyphs, each after its point (a second one further along), classed by what it marks. */
const placedMarks =
  (marks: Mark[]): Plot.RenderFunction =>
  (index, scales, values, dimensions, context, next) => {
    const group = next?.(index, scales, values, dimensions, context) ?? null;
    drawn<SVGTextElement>(group, 'text').forEach((text, k) => {
      const mark = marks[index[k] ?? -1];
      if (!mark) return;
      text.setAttribute('class', `mark ${mark.kind}`);
      text.setAttribute('dx', String(9 + mark.slot * 12));
    });
    return group;
  };

/**
 * One theatre's lane, drawn by Plot: its outcomes over business dates (x, on `domain`, shared by every
 * lane and every position the slider reaches), each at its stage of the ladder (y), joined by a line.
 * Plot's own stylesheet is taken out: console.css holds the same rules, so the page needs no inline style.
 */
export const laneChart = (theatre: string, entries: Entry[], domain: [Date, Date]): SVGSVGElement => {
  const marks = marksOf(entries);
  const chart = Plot.plot({
    className: 'lane',
    ariaLabel: `${theatre}: ${entries.map((e) => `${e.stage} on ${e.date}`).join(', ')}`,
    width: LANE.width,
    height: LANE.height,
    marginLeft: LANE.left,
    marginRight: LANE.right,
    marginTop: LANE.top,
    marginBottom: LANE.bottom,
    x: { type: 'utc', domain, inset: INSET, label: null, ticks: 4, tickFormat: '%Y-%m-%d' },
    y: { type: 'point', domain: [...STAGES].reverse(), label: null, tickSize: 0, tickPadding: 6 },
    marks: [
      Plot.ruleY(STAGES, { className: 'rung' }),
      Plot.line(entries, { x: (e: Entry) => dayOf(e.date), y: 'stage', className: 'path' }),
      Plot.dot(entries, {
        x: (e: Entry) => dayOf(e.date),
        y: 'stage',
        r: 6,
        href: (e: Entry) => meetingHref(e.meetingId),
        title: describe,
        className: 'points',
        render: linkedPoints(entries),
      }),
      Plot.text(marks, {
        x: (m: Mark) => dayOf(m.entry.date),
        y: (m: Mark) => m.entry.stage,
        text: 'glyph',
        textAnchor: 'start',
        ariaHidden: 'true',
        className: 'marks',
        render: placedMarks(marks),
      }),
    ],
  }) as SVGSVGElement;
  chart.querySelector(':scope > style')?.remove();
  chart.setAttribute('role', 'group'); // not 'img': an image's children are hidden, and these points are links
  chart.dataset.theatre = theatre;
  return chart;
};
