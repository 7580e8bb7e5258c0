import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoMeetings } from '../../src/cli/demoData.js';
import { hasChromium, launchConsoleBrowser, startDemoServer, signIn, type ConsoleBrowser } from './consoleBrowser.js';
import { stop, type Server } from './serverProcess.js';

const SCREENSHOTS = 'test-results/console';
const TOKENS = {
  reporter: 'pages-e2e-reporter-token-0123456789',
  auditor: 'pages-e2e-auditor-token-0123456789',
  secretariat: 'pages-e2e-secretariat-token-0123456789',
};
const PLENARY = 'Full Coalition meeting (72 members)';
/** Where the demo records the note's Mosul and Raqqa assessments. */
const SMALL_GROUP = 'Coalition Small Group';

type Checkpoint = { treeSize: number; position: number; text: string };

describe.skipIf(!hasChromium())("the console's read pages in a real browser, on the demo week", () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-pages-'));
  let server: Server;
  let browser: ConsoleBrowser;
  /** Checkpoints kept before and after the amendment, and the amendment's position (the log's last). */
  let before: Checkpoint;
  let after: Checkpoint;
  let amendedAt: number;
  let amendedRevision: number;
  /** The position of a later amendment that moves Mosul back down the ladder: the log's last event. */
  let regressedAt: number;

  const call = async <T>(role: keyof typeof TOKENS, method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKENS[role]}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    expect(response.ok, `${method} ${path}: ${response.status}`).toBe(true);
    return (await response.json()) as T;
  };

  beforeAll(async () => {
    // Illustrative: attendance to sort, and a Small Group outcome of 13 July to move Mosul down the ladder.
    server = await startDemoServer(dataDir, TOKENS);
    before = await call<Checkpoint>('auditor', 'POST', '/v1/audit/checkpoint');
    // A correction to show: Mosul's outcome amended from verge-of-liberation to liberated.
    const { entries } = await call<{ entries: { outcomeId: string }[] }>(
      'reporter',
      'GET',
      '/v1/timeline?theatre=mosul',
    );
    const mosul = `/v1/meetings/${demoMeetings.smallGroup}/outcomes/${entries[0]!.outcomeId}/amend`;
    const amended = await call<{ position: number; revision: number }>('secretariat', 'POST', mosul, {
      stage: 'liberated',
      reason: 'Mosul was declared liberated on 10 July 2017',
    });
    amendedAt = amended.position;
    amendedRevision = amended.revision;
    // A regression to show: the small group's stabilization outcome (13 July) amended to place Mosul lower.
    const smallGroup = `/v1/meetings/${demoMeetings.smallGroup}`;
    const { outcomes } = await call<{ outcomes: { outcomeId: string; summary: string }[] }>(
      'reporter',
      'GET',
      smallGroup,
    );
    const stabilization = outcomes.find((o) => o.summary.includes('stabilization'))!;
    const regressed = await call<{ position: number }>(
      'secretariat',
      'POST',
      `${smallGroup}/outcomes/${stabilization.outcomeId}/amend`,
      { theatre: 'mosul', stage: 'offensive-underway', reason: 'A test of the regression mark' },
    );
    regressedAt = regressed.position;
    // The audit log indexes the amendments as it follows the log: checkpoint until they are in (bounded).
    let latest: Checkpoint | undefined;
    for (let tries = 0; latest?.position !== regressedAt; tries += 1) {
      if (tries === 100) throw new Error(`no checkpoint reached position ${regressedAt}`);
      latest = await call<Checkpoint>('auditor', 'POST', '/v1/audit/checkpoint');
      if (latest.position !== regressedAt) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    after = latest;
    browser = await launchConsoleBrowser(server.baseUrl);
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    if (server) await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const shot = async (page: Page, name: string) =>
    page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const cells = (page: Page, selector: string) => page.locator(selector).allTextContents();

  it('links the agenda to a meeting page: its state, the outcome with its correction, its events in order', async () => {
    const page = await browser.open();
    await signIn(page, TOKENS.reporter);
    await page.getByRole('link', { name: SMALL_GROUP }).click();

    const events = page.locator('#meeting-events tbody tr');
    await events.first().waitFor();
    expect(page.url()).toContain(`#/meetings/${demoMeetings.smallGroup}`);
    await expect.poll(() => page.locator('#meeting h2').textContent()).toBe(SMALL_GROUP);
    const revisions = (await cells(page, '#meeting-events tbody td:nth-child(1)')).map(Number);
    const positions = (await cells(page, '#meeting-events tbody td:nth-child(2)')).map(Number);
    const types = await cells(page, '#meeting-events tbody td:nth-child(3)');
    expect(revisions).toEqual(revisions.map((_r, i) => i));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(types[0]).toBe('MeetingScheduled');
    expect(types.at(-1)).toBe('OutcomeAmended');
    expect(positions.slice(-2)).toEqual([amendedAt, regressedAt]); // both amendments are of this meeting's outcomes
    expect(await cells(page, '#meeting-events tbody td:nth-child(5)')).not.toContain('');
    expect(await page.locator('#meeting-events a').count()).toBe(0); // proof links are for auditors

    const mosul = page.locator('article.outcome', { hasText: 'Mosul is on the verge' });
    expect(await mosul.locator('.corrections').textContent()).toContain(
      'Amended: Mosul was declared liberated on 10 July 2017 (before: The media note of 5 July 2017',
    );
    expect(await mosul.textContent()).toContain('mosul: liberated');
    await shot(page, 'meeting-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'meeting-390');
    // At phone width the page itself does not scroll sideways: wide tables scroll in their own box.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(browser.problems).toEqual([]);
    await page.close();
  });

  it('filters the agenda as /v1/agenda does and downloads it as CSV and iCalendar', async () => {
    const page = await browser.open();
    await page.locator('section.day').first().waitFor();
    await page.getByLabel('Forum').fill('plenary');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => page.locator('article.meeting h4').allTextContents()).toEqual([PLENARY]);

    const csv = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download CSV' }).click();
    const csvFile = await csv;
    expect(csvFile.suggestedFilename()).toMatch(/^agenda-\d+\.csv$/);
    const rows = readFileSync(await csvFile.path(), 'utf8')
      .trim()
      .split('\r\n');
    expect(rows).toHaveLength(2); // the header and the plenary: the export follows the filters
    expect(rows[1]).toContain(PLENARY);

    const ics = page.waitForEvent('download');
    await page.getByRole('link', { name: /iCalendar/ }).click();
    const icsFile = await ics;
    expect(icsFile.suggestedFilename()).toMatch(/^agenda-\d+\.ics$/);
    const calendar = readFileSync(await icsFile.path(), 'utf8');
    expect(calendar).toMatch(/^BEGIN:VCALENDAR/);
    expect(calendar.match(/BEGIN:VEVENT/g)).toHaveLength(1);

    await page.getByLabel('Status').selectOption('cancelled');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => page.locator('#agenda').textContent()).toBe('No meetings match these filters.');
    await shot(page, 'agenda-filtered');
    expect(browser.problems).toEqual([]);
    await page.close();
  });

  it('marks corrections and regressions, redraws the timeline as of a position chosen with the keyboard, and links to the meeting', async () => {
    const page = await browser.open();
    await page.getByRole('button', { name: 'Timeline' }).click();
    const points = page.locator('svg.lane[data-theatre="mosul"] circle.point');
    await points.first().waitFor();
    const mosul = async () =>
      Promise.all(
        (await points.all()).map(async (point) =>
          [
            await point.getAttribute('data-date'),
            await point.getAttribute('data-stage'),
            await point.getAttribute('class'),
          ].join(' '),
        ),
      );
    expect(Number(await page.locator('#timeline-as-of').getAttribute('max'))).toBe(regressedAt);
    expect(await mosul()).toEqual([
      '2017-07-05 liberated point corrected',
      '2017-07-13 offensive-underway point regression corrected',
    ]);
    expect(await page.locator('svg.lane[data-theatre="mosul"] text.mark').allTextContents()).toEqual(['✎', '▼', '✎']);
    await shot(page, 'timeline-1280');

    const chart = page.locator('#timeline-chart');
    await page.locator('#timeline-as-of').focus();
    await page.keyboard.press('ArrowLeft'); // before the regression
    await expect.poll(() => chart.getAttribute('data-position')).toBe(String(regressedAt - 1));
    await expect.poll(mosul).toEqual(['2017-07-05 liberated point corrected']);
    await expect
      .poll(() => page.locator('#timeline-as-of-shown').textContent())
      .toContain(`Position ${regressedAt - 1}`);
    for (let at = regressedAt - 1; at > amendedAt - 1; at -= 1) await page.keyboard.press('ArrowLeft');
    await expect.poll(() => chart.getAttribute('data-position')).toBe(String(amendedAt - 1));
    await expect.poll(mosul).toEqual(['2017-07-05 verge-of-liberation point']);
    await page.keyboard.press('Home'); // the log's first event: no outcome yet
    await expect.poll(() => chart.textContent()).toBe('No outcomes recorded at this position.');
    await page.keyboard.press('End');
    await expect.poll(async () => (await mosul()).length).toBe(2);

    await page.locator('svg.lane[data-theatre="mosul"] a').first().focus(); // the keyboard reaches each point
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#meeting h2').textContent()).toBe(SMALL_GROUP);
    expect(browser.problems).toEqual([]);
    await page.close();
  });

  it('sorts attendance by each column, with the pointer or the keyboard, and says so in aria-sort', async () => {
    const page = await browser.open();
    await page.getByRole('button', { name: 'Attendance' }).click();
    const rows = page.locator('#attendance-table tbody tr');
    await rows.first().waitFor();
    const column = (n: number) => cells(page, `#attendance-table tbody tr > :nth-child(${n})`);
    const names = await column(1);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    expect(await page.locator('th', { hasText: 'Participant' }).getAttribute('aria-sort')).toBe('ascending');

    const invited = page.locator('th', { hasText: 'Invited' });
    await invited.getByRole('button').click();
    expect(await invited.getAttribute('aria-sort')).toBe('ascending');
    const ascending = (await column(3)).map(Number);
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    await page.keyboard.press('Enter'); // the button keeps the focus through the redraw
    expect(await invited.getAttribute('aria-sort')).toBe('descending');
    const descending = (await column(3)).map(Number);
    expect(descending).toEqual([...ascending].sort((a, b) => b - a));
    expect(descending[0]).toBeGreaterThan(descending.at(-1)!);
    // Ties stay in name order either way: the participants invited most, in name order.
    const most = (await column(1)).filter((_name, i) => descending[i] === descending[0]);
    expect(most.length).toBeGreaterThan(1);
    expect(most).toEqual([...most].sort((a, b) => a.localeCompare(b)));

    const csv = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download CSV' }).click();
    expect((await csv).suggestedFilename()).toMatch(/^attendance-\d+\.csv$/);
    expect(await page.locator('th', { hasText: 'Participant' }).getAttribute('aria-sort')).toBe('none');
    await shot(page, 'attendance');
    // A reporter may not audit: no Audit page offered.
    expect(await page.locator('#pages button').allTextContents()).toEqual(['Agenda', 'Timeline', 'Attendance']);
    expect(browser.problems).toEqual([]);
    await page.close();
  });

  describe('the audit page, signed in as an auditor', () => {
    let page: Page;
    beforeAll(async () => {
      await browser.context.clearCookies();
      page = await browser.open();
      await signIn(page, TOKENS.auditor);
    });
    afterAll(async () => page?.close());
    const inclusion = () => page.locator('#inclusion-result').textContent();

    it("verifies an event of a meeting's page in this browser: the checkpoint's signature, then the event's inclusion", async () => {
      await page.goto(`${server.baseUrl}/#/meetings/${demoMeetings.smallGroup}`);
      await page.getByRole('link', { name: String(amendedAt), exact: true }).click();

      await expect
        .poll(() => page.locator('#checkpoint-result').textContent())
        .toBe('✔ Verified in this browser: Ed25519 signature by meeting-ledger');
      expect(await page.locator('#checkpoint-text').textContent()).toContain(`\n${after.treeSize}\n`);
      const stream = `meeting-${demoMeetings.smallGroup}`;
      await expect
        .poll(inclusion)
        .toMatch(
          new RegExp(
            `^✔ Verified in this browser: the event at position ${amendedAt} \\(OutcomeAmended, ${stream} revision ` +
              `${amendedRevision}, leaf \\d+\\) is in the signed tree of ${after.treeSize} events$`,
          ),
        );
      await shot(page, 'audit-1280');

      await page.getByLabel('Event position').fill('1'); // the log's first event, leaf 0
      await page.getByRole('button', { name: 'Verify inclusion' }).click();
      await expect.poll(inclusion).toMatch(/^✔ Verified in this browser: the event at position 1 \(\w+, .+ leaf 0\)/);
      expect(browser.problems).toEqual([]);
    });

    it('shows a proof with one byte of its path changed as failing, with the mismatch', async () => {
      await page.route('**/v1/audit/proofs/inclusion?*', async (route) => {
        const response = await route.fetch();
        const proof = (await response.json()) as { auditPath: string[] };
        const first = proof.auditPath[0]!;
        proof.auditPath[0] = `${first.slice(0, 2) === 'ff' ? '00' : 'ff'}${first.slice(2)}`;
        await route.fulfill({ response, json: proof });
      });
      await page.getByRole('button', { name: 'Verify inclusion' }).click();
      await expect
        .poll(() => page.locator('#inclusion-result').textContent())
        .toMatch(/^✘ Not verified: the path leads to root [0-9a-f]{64}, the signed checkpoint says [0-9a-f]{64}$/);
      expect(await page.locator('#inclusion-result').getAttribute('class')).toContain('failed');
      await shot(page, 'audit-tampered');
      await page.unroute('**/v1/audit/proofs/inclusion?*');
    });

    it('checks that the newer checkpoint extends the older one, in this browser', async () => {
      await page.getByLabel('Older tree size').fill(String(before.treeSize));
      await page.getByLabel('Newer tree size').fill(String(after.treeSize));
      await page.getByRole('button', { name: 'Verify consistency' }).click();
      await expect
        .poll(() => page.locator('#consistency-result').textContent())
        .toBe(
          `✔ Verified in this browser: the signed tree of ${after.treeSize} events extends the signed tree of ${before.treeSize}: nothing before was rewritten`,
        );
      // Better: a checkpoint the auditor kept outside the ledger, pasted; a forged one is refused.
      await page.getByLabel('Older tree size').fill('');
      await page.getByLabel(/a checkpoint you hold/).fill(before.text);
      await page.getByRole('button', { name: 'Verify consistency' }).click();
      await expect
        .poll(() => page.locator('#consistency-result').textContent())
        .toBe(
          `✔ Verified in this browser: the signed tree of ${after.treeSize} events extends the signed tree of ${before.treeSize}: nothing before was rewritten`,
        );
      await shot(page, 'audit-consistency');
      const forged = before.text.replace(/\n(\d+)\n/, (_line, size: string) => `\n${Number(size) - 1}\n`);
      await page.getByLabel(/a checkpoint you hold/).fill(forged);
      await page.getByRole('button', { name: 'Verify consistency' }).click();
      await expect
        .poll(() => page.locator('#consistency-result').textContent())
        .toMatch(
          /^✘ Not verified: the Ed25519 signature by meeting-ledger \(key [0-9a-f]{8}\) does not match the text$/,
        );
      await shot(page, 'audit-forged-checkpoint');
      await page.setViewportSize({ width: 390, height: 844 });
      await shot(page, 'audit-390');
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      expect(browser.problems).toEqual([]);
    });
  });

  describe('live updates, signed in as a reporter', () => {
    let page: Page;
    /** A meeting still open to changes (the demo's own are closed). */
    let meetingId: string;
    beforeAll(async () => {
      ({ meetingId } = await call<{ meetingId: string }>('secretariat', 'POST', '/v1/meetings', {
        title: 'Coalition Small Group: after Mosul',
        forum: 'small-group',
        startsAt: '2017-07-20T09:00:00-04:00',
        location: 'Washington, DC',
      }));
      await browser.context.clearCookies();
      page = await browser.open();
      await signIn(page, TOKENS.reporter);
      await page
        .locator('#live')
        .filter({ hasText: /^Live$/ })
        .waitFor(); // following the feed
      await page.evaluate('window.notReloaded = true');
    });
    afterAll(async () => page?.close());
    const focusedId = () => page.evaluate('document.activeElement?.id');
    const stagesOf = async (theatre: string) =>
      Promise.all(
        (await page.locator(`svg.lane[data-theatre="${theatre}"] circle.point`).all()).map(
          async (point) => `${await point.getAttribute('data-date')} ${await point.getAttribute('data-stage')}`,
        ),
      );

    it('draws attendance again when an observer is invited, keeping the order chosen and the focus', async () => {
      await page.getByRole('button', { name: 'Attendance' }).click();
      const invited = page.locator('#attendance-table thead th', { hasText: 'Invited' });
      await invited.getByRole('button').click();
      await page.keyboard.press('Enter'); // most invited first, the keyboard on that heading
      expect(await invited.getAttribute('aria-sort')).toBe('descending');
      const rows = page.locator('#attendance-table tbody tr');
      const before = await rows.count();

      await call('secretariat', 'POST', `/v1/meetings/${meetingId}/observers`, {
        observerId: 'live-observer',
        name: 'A late observer',
        kind: 'organization',
      });

      await page.locator('#attendance-table tr[data-participant-id="live-observer"]').waitFor();
      expect(await rows.count()).toBe(before + 1);
      expect(await invited.getAttribute('aria-sort')).toBe('descending');
      expect(await page.evaluate('document.activeElement?.textContent')).toBe('Invited');
      expect(await page.evaluate('window.notReloaded')).toBe(true);
      expect(browser.problems).toEqual([]);
    });

    it('keeps the slider where the reader moved it, and the focus, as outcomes are recorded; at the latest position the chart follows them', async () => {
      await page.getByRole('button', { name: 'Timeline' }).click();
      const slider = page.locator('#timeline-as-of');
      const chart = page.locator('#timeline-chart');
      await page.locator('svg.lane').first().waitFor();
      const latest = Number(await slider.getAttribute('max'));
      await slider.focus();
      await page.keyboard.press('ArrowLeft');
      await expect.poll(() => chart.getAttribute('data-position')).toBe(String(latest - 1));

      const outcomes = `/v1/meetings/${meetingId}/outcomes`;
      const underway = await call<{ position: number }>('secretariat', 'POST', outcomes, {
        kind: 'assessment',
        summary: 'The offensive on Tal Afar is under way',
        theatre: 'tal-afar',
        stage: 'offensive-underway',
        occurredOn: '2017-07-12',
      });

      // The slider reaches the new outcome's position, but stays where the reader put it.
      await expect.poll(() => slider.getAttribute('max')).toBe(String(underway.position));
      expect(await slider.inputValue()).toBe(String(latest - 1));
      expect(await chart.getAttribute('data-position')).toBe(String(latest - 1));
      expect(await page.locator('svg.lane[data-theatre="tal-afar"]').count()).toBe(0);
      expect(await focusedId()).toBe('timeline-as-of');

      await page.keyboard.press('End');
      await expect.poll(() => stagesOf('tal-afar')).toEqual(['2017-07-12 offensive-underway']);
      const point = page.locator('svg.lane[data-theatre="tal-afar"] a').first();
      await point.focus();
      const focusedOutcome = () => page.evaluate("document.activeElement?.querySelector('circle')?.dataset.outcomeId");
      const outcomeId = await focusedOutcome();
      expect(outcomeId).toBeTruthy();

      const liberated = await call<{ position: number }>('secretariat', 'POST', outcomes, {
        kind: 'milestone',
        summary: 'Tal Afar is liberated',
        theatre: 'tal-afar',
        stage: 'liberated',
        occurredOn: '2017-07-13',
      });

      // At the latest position the chart follows, and the point that had the focus has it again.
      await expect.poll(() => stagesOf('tal-afar')).toEqual(['2017-07-12 offensive-underway', '2017-07-13 liberated']);
      expect(await slider.inputValue()).toBe(String(liberated.position));
      expect(await chart.getAttribute('data-position')).toBe(String(liberated.position));
      expect(await focusedOutcome()).toBe(outcomeId);
      expect(await page.evaluate('window.notReloaded')).toBe(true);
      expect(browser.problems).toEqual([]);
    });
  });
});
