/**
 * The figures of issue 10, in the order the table prints them, each with its target. A step of the
 * bench measures some of them; one it could not measure (timed out, failed) still gets its row, as
 * a FAIL that says why.
 */
export const FIGURES = {
  throughput: { figure: 'command throughput c=10, this ledger / fresh ledger', target: '>= 0.9' },
  healthz: { figure: '/healthz p99 while commands and a rebuild run', target: '<= 50 ms' },
  warmRestart: { figure: 'warm restart to /readyz', target: '<= 2 s' },
  idleRss: { figure: 'RSS at idle (5 s after /readyz)', target: '<= 256 MiB' },
  coldStart: { figure: 'cold start (projection store deleted) to /readyz', target: '<= rebuild time' },
  rebuild: { figure: 'rebuild of all projections / raw read + JSON.parse', target: '>= 0.7' },
  rebuildRss: { figure: 'rebuild peak RSS', target: '< 512 MiB' },
  verify: { figure: 'audit verify / raw read + SHA-256', target: '>= 0.8' },
  verifyRss: { figure: 'audit verify peak RSS', target: '< 512 MiB' },
  asOfAgenda: { figure: 'asOf middle: agenda', target: '< 1 s' },
  asOfAttendance: { figure: 'asOf middle: attendance', target: '< 1 s' },
  asOfTimeline: { figure: 'asOf middle: timeline', target: '< 1 s' },
  longRead: { figure: 'read of the long meeting after a restart', target: '< 100 ms' },
  longReadLoop: { figure: '/healthz max latency during that read', target: '< 100 ms' },
  stalledReaders: { figure: 'secretariat command p99, stalled SSE readers', target: '< 100 ms' },
} as const;

export type FigureId = keyof typeof FIGURES;

/** What a step measured for one figure: the value, the ceiling (or reference) and ratio where there is one. */
export type Measured = {
  value: string;
  ceiling?: string;
  ratio?: number;
  pass: boolean;
  /** What else the reader needs to judge the value: counts, errors, a timeout. */
  note?: string;
};

export type Measurements = Partial<Record<FigureId, Measured>>;

/** A figure that could not be measured: it fails its target and says why. */
export const unmeasured = (why: string, note?: string): Measured => ({
  value: why,
  pass: false,
  ...(note && { note }),
});

const columns = ['figure', 'measured', 'ceiling', 'ratio', 'target', 'result'];

/**
 * The table in Markdown (it pastes into an issue), its notes below, and a summary line. A figure no
 * step measured shows `missing`: each id's `why` says what stopped it.
 */
export const renderTable = (measured: Measurements, missing: (id: FigureId) => string): string => {
  const ids = Object.keys(FIGURES) as FigureId[];
  const results = ids.map((id) => ({ id, ...FIGURES[id], ...(measured[id] ?? unmeasured(missing(id))) }));
  const rows = [
    columns,
    ...results.map((r) => [
      r.figure,
      r.value,
      r.ceiling ?? '',
      r.ratio === undefined || !Number.isFinite(r.ratio) ? '' : r.ratio.toFixed(2),
      r.target,
      r.pass ? 'PASS' : 'FAIL',
    ]),
  ];
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const notes = results.filter((r) => r.note).map((r) => `- ${r.figure}: ${r.note}`);
  const passed = results.filter((r) => r.pass).length;
  return [
    line(columns),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
    '',
    ...notes,
    '',
    `${passed} of ${results.length} targets passed.`,
  ].join('\n');
};
