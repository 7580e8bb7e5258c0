import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandHelp } from '../../src/cli/usage.js';
import { timelineProjection } from '../../src/projections/timeline/timelineProjection.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'ledger-cli-'));
const dataDir = join(work, 'note');
const illustrativeDir = join(work, 'illustrative');
type Ran = { code: number; stdout: string; stderr: string };
const ledgerIn = (dir: string, args: string[], env: Record<string, string> = {}): Promise<Ran> =>
  run(process.execPath, ['--import', 'tsx', 'src/cli/ledger.ts', ...args], {
    env: { ...process.env, LEDGER_DATA_DIR: dir, LEDGER_TOKENS: '', ...env },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: Ran) => error,
  );
const ledger = (...args: string[]) => ledgerIn(dataDir, args);
const replay = async (...args: string[]) => JSON.parse((await ledger('replay', ...args)).stdout) as Views;

type Meeting = { title: string; status: string; startsAt: string; endsAt: string | null };
type Views = {
  agenda: { position: number; meetings: (Meeting & { observers: { observerId: string }[] })[] };
  attendance: { participants: object[] };
  timeline: { position: number; entries: { date: string; theatre: string }[]; theatres: Theatre[] };
};
type Theatre = { theatre: string; stage: string; since: string };

beforeAll(async () => {
  await ledger('demo');
  await ledgerIn(illustrativeDir, ['demo', '--illustrative']);
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the ledger command', () => {
  it('runs the demo twice without appending anything the second time', async () => {
    const { stdout } = await ledger('demo');
    expect(stdout).toMatch(/nothing appended \(\d+ steps recorded earlier\)/);
  });

  it('replays the timeline as of a position, before the Lake Chad Basin assessment was recorded', async () => {
    const all = JSON.parse((await ledgerIn(illustrativeDir, ['replay', '--projection', 'timeline'])).stdout) as Views;
    expect(all.timeline.theatres.map((t) => t.theatre)).toEqual(['lake-chad-basin', 'mosul', 'raqqa']);
    const position = String(all.timeline.position - 10);
    const earlier = JSON.parse(
      (await ledgerIn(illustrativeDir, ['replay', '--as-of', position, '--projection', 'timeline'])).stdout,
    ) as Views;
    expect(earlier.timeline.position).toBe(all.timeline.position - 10);
    expect(earlier.timeline.theatres.map((t) => t.theatre)).toEqual(['mosul', 'raqqa']);
  });

  it('rebuilds the projections from zero', async () => {
    const { stdout } = await ledger('projections', 'rebuild');
    expect(stdout).toMatch(/rebuilt agenda v\d+ up to position \d+/);
    expect(stdout).toMatch(new RegExp(`rebuilt timeline v${timelineProjection.version}`));
  });
});

describe('help', () => {
  const fresh = join(work, 'never-created');
  const topics = Object.keys(commandHelp);

  // Each process costs seconds here: these are the cases the issue names; tests/cli/commandLine.test.ts
  // maps every topic's words to its help in process.
  it('prints a command’s or subcommand’s own usage on stdout with --help or -h, exit 0, touching nothing', async () => {
    const cases: [string[], keyof typeof commandHelp][] = [
      [['tokens', 'add', '--help'], 'tokens add'],
      [['replay', '--help'], 'replay'],
      [['demo', '--help'], 'demo'],
      [['serve', '-h'], 'serve'],
      [['audit', 'prove', '-h'], 'audit prove'],
      [['help', '--help'], 'help'],
    ];
    for (const [args, topic] of cases) {
      const result = await ledgerIn(fresh, args);
      expect(result, topic).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout, topic).toBe(`${commandHelp[topic]}\n`);
    }
    // demo --help loaded no demo, serve --help started no server: neither opened a data directory.
    expect(existsSync(fresh)).toBe(false);
  }, 60_000);

  it('prints the whole usage for -h, --help and help, which lists every command', async () => {
    for (const args of [['-h'], ['--help'], ['help']]) {
      const result = await ledgerIn(fresh, args);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      for (const topic of topics) expect(result.stdout).toContain(`  ${topic}`);
    }
    expect((await ledgerIn(fresh, ['help', 'tokens', 'add'])).stdout).toBe(`${commandHelp['tokens add']}\n`);
    expect(existsSync(fresh)).toBe(false);
  }, 60_000);

  it('takes --help after other options, and not after --', async () => {
    expect((await ledger('replay', '--as-of', '3', '--help')).stdout).toBe(`${commandHelp.replay}\n`);
    const after = await ledger('tokens', 'revoke', '--', '--help');
    expect(after).toMatchObject({
      code: 1,
      stderr: 'No single token matches --help; see npm run ledger -- tokens list\n',
    });
  }, 60_000);
});

describe('mistakes and refusals: one line on stderr and a non-zero exit', () => {
  it('refuses an unknown option with one line pointing to the command’s --help, exit 2', async () => {
    const cases: [string[], string][] = [
      [['replay', '--bogus'], 'replay: unknown option --bogus (see: npm run ledger -- replay --help)'],
      [['tokens', 'add', '--rol', 'x'], 'tokens add: unknown option --rol (see: npm run ledger -- tokens add --help)'],
      [['demo', '--illustrated'], 'demo: unknown option --illustrated (see: npm run ledger -- demo --help)'],
      [['serve', '--port', '1'], 'serve: unknown option --port (see: npm run ledger -- serve --help)'],
      [['-x'], 'Unknown command: -x (see: npm run ledger -- --help)'],
    ];
    const results = await Promise.all(cases.map(([args]) => ledger(...args)));
    for (const [i, [args, line]] of cases.entries()) {
      expect(results[i], args.join(' ')).toMatchObject({ code: 2, stdout: '', stderr: `${line}\n` });
    }
  }, 60_000);

  it('refuses an unknown projection and a bad --as-of or --at with exit 2', async () => {
    const cases = [
      ['projections', 'rebuild', 'minutes'],
      ['replay', '--as-of', 'yesterday'],
      ['audit', 'replay', '--as-of', 'yesterday'],
      ['replay', '--as-of', '3', '--at', '2017-07-32'],
      ['replay', '--as-of', '3', '--at', '2017-07-12', '--projection', 'attendance'],
    ];
    const failures = await Promise.all(cases.map((args) => ledger(...args)));
    for (const [i, args] of cases.entries()) {
      const failure = failures[i]!;
      expect(failure.code, args.join(' ')).toBe(2);
      expect(failure.stderr, args.join(' ')).toMatch(/^[^\n]+\(see: npm run ledger -- [a-z ]*--help\)\n$/);
    }
  }, 60_000);

  it('names the busy port in one line when serve cannot listen, and frees the data directory', async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(4320, '127.0.0.1', resolve));
    try {
      const result = await ledgerIn(join(work, 'served'), ['serve'], {
        PORT: '4320',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        // A fixed token: none is generated (and shown on stderr), so stderr holds only the refusal.
        LEDGER_TOKENS: 'reporter:cli-e2e-reporter-token-0123456789',
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        'Port 4320 on 127.0.0.1 is already in use by another process: stop it, or set PORT to a free port\n',
      );
    } finally {
      busy.close();
    }
    // The ledger it had opened was closed again: another command takes the data directory at once.
    expect((await ledgerIn(join(work, 'served'), ['tokens', 'list'])).code).toBe(0);
  }, 60_000);

  it('refuses an import into a store holding other events as a refusal, not a usage error, exit 1', async () => {
    const file = join(work, 'illustrative.ndjson');
    await ledgerIn(illustrativeDir, ['export', '--to', file]);
    const result = await ledger('import', '--from', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^import refused, nothing was appended: line 1: the store is not empty[^\n]*\n$/);
  }, 60_000);

  it('refuses a malformed NDJSON file in one line, exit 1, leaving no data directory', async () => {
    const target = join(work, 'imported');
    for (const [name, text, reason] of [
      ['not-json', '{"position": 1,\n', 'line 1: not a JSON object'],
      ['null', 'null\n', 'line 1: value: Invalid input: expected object, received null'],
    ]) {
      const file = join(work, `${name}.ndjson`);
      writeFileSync(file, text ?? '');
      const result = await ledgerIn(target, ['import', '--from', file]);
      expect(result).toMatchObject({ code: 1, stderr: `import refused, nothing was appended: ${reason}\n` });
      expect(existsSync(target)).toBe(false);
    }
    const missing = await ledgerIn(target, ['import', '--from', join(work, 'no-such-file.ndjson')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^ENOENT: no such file or directory, open '[^']+no-such-file.ndjson'\n$/);
    expect(existsSync(target)).toBe(false);
  }, 60_000);
});

describe('the demo loads what the media note says, as it says it', () => {
  it('schedules the meetings it announces and the two it names, none closed, at the documented 12:00 local', async () => {
    const { agenda } = await replay('--projection', 'agenda');
    expect(agenda.meetings.map((m) => [m.startsAt, m.status, m.endsAt])).toEqual([
      ['2016-11-17T11:00:00.000Z', 'scheduled', null], // 12:00 in Berlin
      ['2017-03-22T16:00:00.000Z', 'scheduled', null], // 12:00 in Washington (EDT)
      ...Array(4).fill(['2017-07-11T16:00:00.000Z', 'scheduled', null]),
      ['2017-07-12T16:00:00.000Z', 'scheduled', null],
      ['2017-07-13T16:00:00.000Z', 'scheduled', null],
    ]);
    const smallGroup = agenda.meetings.at(-1)!;
    expect(smallGroup.observers.map((o) => o.observerId)).toEqual(['african-union', 'mnjtf']);
  });

  it('records no attendance, only the two invited observers, and only the Mosul and Raqqa assessments of 5 July', async () => {
    const views = await replay();
    expect(views.attendance.participants).toEqual([
      expect.objectContaining({ participantId: 'african-union', invited: 1, attended: 0, absent: 0, rate: null }),
      expect.objectContaining({ participantId: 'mnjtf', invited: 1, attended: 0, absent: 0, rate: null }),
    ]);
    expect(views.timeline.theatres).toEqual([
      { theatre: 'mosul', stage: 'verge-of-liberation', since: '2017-07-05' },
      { theatre: 'raqqa', stage: 'offensive-underway', since: '2017-07-05' },
    ]);
  });

  it('marks every invented event of --illustrative, and only those, and they survive export and import', async () => {
    const file = join(work, 'marked.ndjson');
    await ledgerIn(illustrativeDir, ['export', '--to', file]);
    const events = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; metadata: { actor: string; illustrative?: boolean } });
    const marked = events.filter((e) => e.metadata.illustrative === true);
    expect(marked.map((e) => e.metadata.actor)).toEqual(Array(marked.length).fill('secretariat#demo-illustrative'));
    expect(events.filter((e) => e.metadata.illustrative === undefined)).toHaveLength(12); // the note's own
    expect(new Set(marked.map((e) => e.type))).toEqual(
      new Set(['MemberAdmitted', 'OutcomeRecorded', 'AttendanceRecorded', 'ObserverInvited', 'MeetingClosed']),
    );
    const copy = join(work, 'copy');
    const imported = JSON.parse((await ledgerIn(copy, ['import', '--from', file])).stdout) as { ok: boolean };
    expect(imported.ok).toBe(true);
    const again = join(work, 'copy.ndjson');
    await ledgerIn(copy, ['export', '--to', again]);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(file, 'utf8'));
  }, 60_000);
});

describe('time travel, explained', () => {
  it('says so on stderr when --as-of names an instant before the first event, and answers position 0', async () => {
    const { code, stdout, stderr } = await ledger('replay', '--as-of', '2017-07-12T23:59:59Z');
    expect(code).toBe(0);
    const views = JSON.parse(stdout) as Record<string, { position: number }>;
    expect(Object.keys(views).sort()).toEqual(['agenda', 'attendance', 'timeline']);
    for (const view of Object.values(views)) expect(view.position).toBe(0);
    expect(stderr).toMatch(/^notice: asOf 2017-07-12T23:59:59.000Z is before the first event this ledger recorded/);
    expect(stderr).toContain('--at on the CLI');
    const audited = await ledger('audit', 'replay', '--as-of', '2017-07-12T23:59:59Z');
    expect(audited.code).toBe(0);
    expect(audited.stderr).toMatch(/^notice: asOf 2017-07-12T23:59:59.000Z is before the first event/);
  }, 60_000);

  it('refuses a position past the head in one line naming the head, exit 2, and answers the head without --as-of', async () => {
    const { timeline } = await replay('--projection', 'timeline');
    const past = String(timeline.position + 1);
    for (const command of [['replay'], ['audit', 'replay']]) {
      const refused = await ledger(...command, '--as-of', past);
      expect(refused).toMatchObject({ code: 2, stdout: '' });
      expect(refused.stderr).toMatch(
        new RegExp(
          `^--as-of ${past} is past the end of the log, which is at position ${timeline.position} [^\\n]+--help\\)\\n$`,
        ),
      );
    }
    const atHead = await replay('--as-of', String(timeline.position), '--projection', 'timeline');
    expect(atHead.timeline).toEqual(timeline);
  }, 60_000);

  it('answers the agenda and timeline on a business date with --at', async () => {
    const { agenda, timeline, attendance } = await replay('--at', '2017-07-11');
    expect(attendance).toBeUndefined();
    expect(agenda.meetings).toHaveLength(6); // Berlin, the ministerial and the four working groups
    expect(timeline.theatres.map((t) => t.theatre)).toEqual(['mosul', 'raqqa']);
    const before = await replay('--at', '2017-07-04', '--projection', 'timeline');
    expect(before.timeline).toMatchObject({ at: '2017-07-04', entries: [], theatres: [] });
  }, 60_000);
});
