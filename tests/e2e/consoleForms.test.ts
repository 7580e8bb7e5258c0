import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium, launchConsoleBrowser, startDemoServer, signIn, type ConsoleBrowser } from './consoleBrowser.js';
import { stop, type Server } from './serverProcess.js';

const SCREENSHOTS = 'test-results/console';
const TOKENS = {
  secretariat: 'console-forms-secretariat-token-0123',
  auditor: 'console-forms-auditor-token-01234567',
  reporter: 'console-forms-reporter-token-0123456',
} as const;

/** What Chromium logs for a refusal the test asks for: an answer, not a fault of the page. */
const refusalLogged = (status: number) => `Failed to load resource: the server responded with a status of ${status}`;

/** Runs in every page before its own scripts (from devtools, so the page's CSP does not apply to it). */
const REPORT_CSP_VIOLATIONS = `document.addEventListener('securitypolicyviolation', (event) =>
  console.error('CSP violation: ' + event.violatedDirective + ' ' + event.blockedURI))`;

describe.skipIf(!hasChromium())('the secretariat forms and live updates in a real browser, on the demo week', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-console-forms-'));
  let server: Server;
  let chromium: ConsoleBrowser;
  /** Console errors, uncaught exceptions and CSP violations of every page. */
  let problems: string[];
  /** The commands the pages sent: method, path and the headers that make them safe to retry. */
  const commands: Request[] = [];

  beforeAll(async () => {
    // Illustrative: the attendance below needs the invented members (united-states).
    server = await startDemoServer(dataDir, TOKENS);
    chromium = await launchConsoleBrowser(server.baseUrl);
    problems = chromium.problems;
    await chromium.context.addInitScript({ content: REPORT_CSP_VIOLATIONS });
    chromium.context.on('request', (request) => {
      if (request.method() === 'POST' && request.url().includes('/v1/')) commands.push(request);
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  beforeEach(() => {
    problems.length = 0;
    commands.length = 0;
  });
  afterAll(async () => {
    await chromium?.close();
    if (server) await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const signedIn = async (role: keyof typeof TOKENS): Promise<Page> => {
    await chromium.context.clearCookies();
    const page = await chromium.open();
    await signIn(page, TOKENS[role]);
    expect(await page.locator('#who').textContent()).toContain(`${role}#`);
    return page;
  };

  /** Opens the forms page and the forms of the meeting whose title holds `title`. */
  const formsOf = async (page: Page, title: string): Promise<void> => {
    await page.getByRole('button', { name: 'Forms' }).click();
    const chooser = page.getByRole('combobox', { name: 'Meeting', exact: true });
    const option = chooser.locator('option', { hasText: title });
    await option.waitFor({ state: 'attached' });
    await chooser.selectOption((await option.getAttribute('value')) ?? '');
    await page.locator('.meeting-state', { hasText: title }).waitFor();
  };

  /** Opens the form of the command named `name` (the page shows one form at a time) and answers it. */
  const command = async (page: Page, name: string, id: string) => {
    await page.locator('details.command > summary', { hasText: new RegExp(`^${name}$`) }).click();
    const form = page.locator(`form#${id}`);
    await form.waitFor();
    return form;
  };

  const stagesOf = async (page: Page, theatre: string): Promise<string[]> =>
    Promise.all(
      (await page.locator(`svg.lane[data-theatre="${theatre}"] circle.point`).all()).map(
        async (point) => `${await point.getAttribute('data-date')} ${await point.getAttribute('data-stage')}`,
      ),
    );

  it.each(['reporter', 'auditor'] as const)('shows a %s no forms', async (role) => {
    const page = await signedIn(role);
    await page.locator('article.meeting').first().waitFor();
    const pages = await page.locator('#pages button').allTextContents();
    expect(pages).toEqual(expect.arrayContaining(['Agenda', 'Timeline']));
    expect(pages).not.toContain('Forms');
    await page.getByRole('button', { name: 'Timeline' }).click();
    await page.locator('svg.lane').first().waitFor();
    expect(await page.locator('form.command').count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, `console-${role}-no-forms.png`), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('schedules a meeting and records an outcome from the forms; an open timeline draws it live, without reload', async () => {
    const watcher = await signedIn('secretariat');
    await watcher.getByRole('button', { name: 'Timeline' }).click();
    await watcher.locator('svg.lane[data-theatre="mosul"]').waitFor();
    expect(await stagesOf(watcher, 'mosul')).toEqual(['2017-07-05 verge-of-liberation']);
    await expect.poll(() => watcher.locator('#live').textContent()).toBe('Live');
    await watcher.evaluate('window.notReloaded = true');

    const forms = await chromium.open(); // the same session, another tab
    await forms.getByRole('button', { name: 'Forms' }).click();
    const schedule = await command(forms, 'Schedule a meeting', 'schedule');
    await schedule.getByLabel('Title').fill('Coalition Small Group: after Mosul');
    await schedule.getByLabel('Forum').fill('small-group');
    await schedule.getByLabel('Starts at').fill('2017-07-20T09:00:00-04:00');
    await schedule.getByLabel('Location').fill('Washington, DC');
    await schedule.getByLabel('Agenda items').fill('Mosul after its liberation\nRaqqa');
    await schedule.getByRole('button', { name: 'Schedule' }).click();
    await expect
      .poll(() => forms.locator('#forms-notice').textContent())
      .toBe('Recorded MeetingScheduled (revision 0).');

    await forms.locator('.meeting-state').waitFor(); // the new meeting is chosen, its forms drawn
    const outcome = await command(forms, 'Record an outcome', 'outcome');
    expect(await forms.locator('.meeting-state').textContent()).toContain('Coalition Small Group: after Mosul');
    await outcome.getByLabel('Kind').selectOption('milestone');
    await outcome.getByLabel('Summary').fill('The Prime Minister of Iraq declared Mosul liberated from ISIS');
    await outcome.getByLabel('Theatre').fill('mosul');
    await outcome.getByLabel('Stage').selectOption('liberated');
    await outcome.getByLabel('Occurred on').fill('2017-07-10');
    await forms.screenshot({ path: join(SCREENSHOTS, 'console-forms.png'), fullPage: true });
    await outcome.getByRole('button', { name: 'Record the outcome' }).click();
    await expect
      .poll(() => forms.locator('#forms-notice').textContent())
      .toBe('Recorded OutcomeRecorded (revision 1).');

    const recorded = commands.find((request) => request.url().endsWith('/outcomes'));
    expect(recorded?.headers()).toMatchObject({
      'idempotency-key': expect.stringMatching(/^[0-9a-f]{32}$/),
      'if-match': '"0"',
      'x-csrf-token': expect.stringMatching(/^[\w-]{43}$/),
    });

    await expect
      .poll(() => stagesOf(watcher, 'mosul'), { timeout: 10_000 })
      .toEqual(['2017-07-05 verge-of-liberation', '2017-07-10 liberated']);
    expect(await watcher.evaluate('window.notReloaded')).toBe(true);
    await watcher.screenshot({ path: join(SCREENSHOTS, 'console-timeline-live.png'), fullPage: true });
    expect(problems).toEqual([]);
    await forms.close();
    await watcher.close();
  });

  it("shows a refusal next to its field: the browser's own check, and the ledger's", async () => {
    const page = await signedIn('secretariat');
    await formsOf(page, 'after Mosul');

    const outcome = await command(page, 'Record an outcome', 'outcome');
    await outcome.getByLabel('Summary').fill('Raqqa contested');
    await outcome.getByLabel('Theatre').fill('Raqqa City');
    await outcome.getByRole('button', { name: 'Record the outcome' }).click();
    await expect.poll(() => page.locator('#outcome-theatre-error').textContent()).toContain('lower-case slug');
    expect(await outcome.getByLabel('Theatre').getAttribute('aria-invalid')).toBe('true');
    expect(commands).toEqual([]); // the browser's check refused it: nothing sent

    const attendance = await command(page, 'Record attendance', 'attendance');
    await attendance.getByLabel('Participant id').fill('atlantis');
    await attendance.getByRole('button', { name: 'Record attendance' }).click();
    await expect
      .poll(() => page.locator('#attendance-participantId-error').textContent())
      .toContain('atlantis is neither an admitted member nor an observer invited');
    expect(await attendance.getByLabel('Participant id').getAttribute('aria-invalid')).toBe('true');
    expect(await attendance.locator('.form-error').textContent()).toBe('The command breaks a rule of the ledger');
    await page.screenshot({ path: join(SCREENSHOTS, 'console-forms-refused.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 }); // a phone: every field still fits the width
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-forms-phone.png') });
    expect(problems.filter((problem) => !problem.includes(refusalLogged(422)))).toEqual([]);
    await page.close();
  });

  it('sends a submission whose answer was lost again with the same Idempotency-Key, and the ledger records it once', async () => {
    const page = await signedIn('secretariat');
    await formsOf(page, 'after Mosul');
    const answers: { status: number; replayed: string | undefined }[] = [];
    // The first answer never reaches the page: the ledger has the request, the page sees the network fail.
    await page.route('**/v1/meetings/*/attendance', async (route) => {
      const response = await route.fetch();
      answers.push({ status: response.status(), replayed: response.headers()['idempotent-replayed'] });
      return answers.length === 1 ? route.abort('failed') : route.fulfill({ response });
    });
    const attendance = await command(page, 'Record attendance', 'attendance');
    await attendance.getByLabel('Participant id').fill('united-states');
    await attendance.getByRole('button', { name: 'Record attendance' }).click();
    await expect.poll(() => attendance.locator('.form-error').textContent()).toContain('Submit again to retry safely');
    await attendance.getByRole('button', { name: 'Record attendance' }).click();
    await expect.poll(() => page.locator('#forms-notice').textContent()).toMatch(/^Recorded AttendanceRecorded/);

    expect(answers).toEqual([
      { status: 200, replayed: undefined },
      { status: 200, replayed: 'true' },
    ]);
    const sent = commands.filter((request) => request.url().endsWith('/attendance'));
    expect(sent.map((request) => request.headers()['idempotency-key'])).toEqual([
      sent[0]?.headers()['idempotency-key'],
      sent[0]?.headers()['idempotency-key'],
    ]);
    const meetingUrl = sent[0]?.url().replace(/\/attendance$/, '') ?? '';
    const events = await fetch(`${meetingUrl}/events`, { headers: { authorization: `Bearer ${TOKENS.auditor}` } });
    const types = ((await events.json()) as { events: { type: string }[] }).events.map((event) => event.type);
    expect(types.filter((type) => type === 'AttendanceRecorded')).toHaveLength(1);
    expect(problems.filter((problem) => !problem.includes('net::ERR_FAILED'))).toEqual([]);
    await page.close();
  });

  it('refuses a form drawn from a revision the meeting has left and draws it again, keeping what was typed; lists new meetings live', async () => {
    const stale = await signedIn('secretariat');
    await formsOf(stale, 'after Mosul');
    const other = await chromium.open();
    await formsOf(other, 'after Mosul');
    const otherAddItem = await command(other, 'Add an agenda item', 'add-item');
    await otherAddItem.getByLabel('Title').fill('Stabilization in Mosul');
    await otherAddItem.getByRole('button', { name: 'Add the item' }).click();
    await expect.poll(() => other.locator('#forms-notice').textContent()).toMatch(/^Recorded AgendaItemAdded/);

    const addItem = await command(stale, 'Add an agenda item', 'add-item');
    await addItem.getByLabel('Title').fill('Returns of the displaced');
    await addItem.getByRole('button', { name: 'Add the item' }).click();
    await expect
      .poll(() => stale.locator('#forms-notice').textContent())
      .toContain('changed since these forms were drawn');
    expect(await stale.locator('form#add-item').getByLabel('Title').inputValue()).toBe('Returns of the displaced');
    await stale.locator('form#add-item').getByRole('button', { name: 'Add the item' }).click();
    await expect.poll(() => stale.locator('#forms-notice').textContent()).toMatch(/^Recorded AgendaItemAdded/);

    // A meeting scheduled in the other tab joins this tab's list of meetings as it is recorded.
    const schedule = await command(other, 'Schedule a meeting', 'schedule');
    await schedule.getByLabel('Title').fill('Working Group on stabilization support');
    await schedule.getByLabel('Forum').fill('working-group/stabilization-support');
    await schedule.getByLabel('Starts at').fill('2017-07-21T09:00:00-04:00');
    await schedule.getByLabel('Location').fill('Washington, DC');
    await schedule.getByRole('button', { name: 'Schedule' }).click();
    const chooser = stale.getByRole('combobox', { name: 'Meeting', exact: true });
    // (The demo week has a "Working Group on Stabilization Support" of its own, on 11 July.)
    await chooser
      .locator('option', { hasText: '2017-07-21 · Working Group on stabilization support' })
      .waitFor({ state: 'attached' });
    expect(await stale.locator('.meeting-state').textContent()).toContain('after Mosul'); // still the one chosen
    expect(problems.filter((problem) => !problem.includes(refusalLogged(412)))).toEqual([]);
    await other.close();
    await stale.close();
  });

  it("shows a change to a meeting on that meeting's open page, without reload", async () => {
    const forms = await signedIn('secretariat');
    await formsOf(forms, 'after Mosul');
    const meetingId = await forms.getByRole('combobox', { name: 'Meeting', exact: true }).inputValue();
    const meeting = await chromium.open(); // the same session, another tab
    await meeting.goto(`${server.baseUrl}/#/meetings/${meetingId}`);
    await meeting.getByRole('heading', { name: 'Coalition Small Group: after Mosul' }).waitFor();
    expect(await meeting.getByRole('cell', { name: 'ObserverInvited', exact: true }).count()).toBe(0);
    await meeting.evaluate('window.notReloaded = true');

    const invite = await command(forms, 'Invite an observer', 'invite');
    await invite.getByLabel('Observer id').fill('african-union');
    await invite.getByLabel('Name', { exact: true }).fill('African Union');
    await invite.getByLabel('Kind').selectOption('organization');
    await invite.getByRole('button', { name: 'Invite' }).click();
    await expect.poll(() => forms.locator('#forms-notice').textContent()).toMatch(/^Recorded ObserverInvited/);

    await meeting.getByRole('cell', { name: 'ObserverInvited', exact: true }).waitFor();
    expect(await meeting.getByRole('cell', { name: 'African Union', exact: true }).count()).toBe(1);
    expect(await meeting.evaluate('window.notReloaded')).toBe(true);
    await meeting.screenshot({ path: join(SCREENSHOTS, 'console-meeting-live.png'), fullPage: true });
    expect(problems).toEqual([]);
    await meeting.close();
    await forms.close();
  });

  it('lists the commands by name and opens one form at a time, from the keyboard', async () => {
    const page = await signedIn('secretariat');
    await formsOf(page, 'after Mosul');
    const summaries = page.locator('details.command > summary');
    expect(await summaries.allTextContents()).toEqual([
      'Schedule a meeting',
      'Admit a member',
      'Reschedule',
      'Cancel',
      'Add an agenda item',
      'Invite an observer',
      'Record attendance',
      'Record an outcome',
      'Amend an outcome',
      'Retract an outcome',
      'Close the meeting',
    ]);
    expect(await page.locator('form.command:visible').count()).toBe(0);

    await summaries.getByText('Reschedule', { exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.locator('form#reschedule').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.id')).toBe('reschedule-startsAt');

    await summaries.getByText('Cancel', { exact: true }).focus();
    await page.keyboard.press('Space');
    await page.locator('form#cancel').waitFor();
    expect(await page.locator('form#reschedule').isVisible()).toBe(false);
    expect(await page.locator('details.command[open]').count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-forms-one-open.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('marks the navigation button of the page shown as the current page', async () => {
    const page = await signedIn('secretariat');
    const current = () => page.locator('#pages button[aria-current="page"]').allTextContents();
    await expect.poll(current).toEqual(['Agenda']);
    expect(await page.locator('#pages button').count()).toBe(5);

    await page.getByRole('button', { name: 'Forms' }).click();
    await expect.poll(current).toEqual(['Forms']);
    await page.getByRole('button', { name: 'Audit' }).click();
    await expect.poll(current).toEqual(['Audit']);

    // A meeting's page has no button of its own: none is marked; an event's audit link marks Audit.
    const agenda = await fetch(`${server.baseUrl}/v1/agenda?from=1970-01-01T00:00:00Z`, {
      headers: { authorization: `Bearer ${TOKENS.auditor}` },
    });
    const meetingId = ((await agenda.json()) as { meetings: { meetingId: string }[] }).meetings[0]?.meetingId;
    await page.evaluate(`location.hash = '#/meetings/${meetingId}'`);
    await expect.poll(current).toEqual([]);
    await page.evaluate(`location.hash = '#/audit/1'`);
    await expect.poll(current).toEqual(['Audit']);
    await page.locator('#inclusion-result').waitFor();
    await page.getByRole('button', { name: 'Timeline' }).click();
    await expect.poll(current).toEqual(['Timeline']);
    expect(problems).toEqual([]);
    await page.close();
  });
});
