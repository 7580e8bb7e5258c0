import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/demo.js';
import { loadConfig } from '../../src/config.js';
import {
  ARTIFACTS,
  hasChromium,
  launchConsoleBrowser,
  openConsole,
  signIn,
  warnWithoutChromium,
} from './consoleBrowser.js';
import { startServer, stop, type Server } from './serverProcess.js';

const TOKENS = {
  secretariat: 'console-forms-secretariat-token-0123',
  auditor: 'console-forms-auditor-token-01234567',
  reporter: 'console-forms-reporter-token-0123456',
} as const;

/** What Chromium logs for a refusal the test asks for: an answer, not a fault of the page. */
const refusalLogged = (status: number) => `Failed to load resource: the server responded with a status of ${status}`;

warnWithoutChromium('the browser test of the secretariat forms');

describe.skipIf(!hasChromium)('the secretariat forms and live updates in a real browser, on the demo week', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-console-forms-'));
  const profile = mkdtempSync(join(tmpdir(), 'ledger-chromium-forms-'));
  let server: Server;
  let browser: BrowserContext;
  const problems: string[] = [];
  /** The commands the pages sent: method, path and the headers that make them safe to retry. */
  const commands: Request[] = [];

  beforeAll(async () => {
    await runDemo(loadConfig({ LEDGER_DATA_DIR: dataDir, LEDGER_TOKENS: '' }), () => undefined);
    const tokens = Object.entries(TOKENS).map(([role, token]) => `${role}:${token}`);
    server = await startServer(dataDir, { LEDGER_TOKENS: tokens.join(','), LOG_LEVEL: 'warn' });
    browser = await launchConsoleBrowser(profile);
    browser.on('request', (request) => {
      if (request.method() === 'POST' && request.url().includes('/v1/')) commands.push(request);
    });
  });
  afterAll(async () => {
    await browser?.close();
    if (server) await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  });

  const signedIn = async (role: keyof typeof TOKENS): Promise<Page> => {
    await browser.clearCookies();
    const page = await openConsole(browser, server.baseUrl, problems);
    await signIn(page, TOKENS[role], role);
    return page;
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
    await page.screenshot({ path: join(ARTIFACTS, `console-${role}-no-forms.png`), fullPage: true });
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

    const forms = await openConsole(browser, server.baseUrl, problems); // the same session, another tab
    await forms.getByRole('button', { name: 'Forms' }).click();
    const schedule = forms.locator('form#schedule');
    await schedule.getByLabel('Title').fill('Coalition Small Group: after Mosul');
    await schedule.getByLabel('Forum').fill('small-group');
    await schedule.getByLabel('Starts at').fill('2017-07-20T09:00:00-04:00');
    await schedule.getByLabel('Location').fill('Washington, DC');
    await schedule.getByLabel('Agenda items').fill('Mosul after its liberation\nRaqqa');
    await schedule.getByRole('button', { name: 'Schedule' }).click();
    await expect
      .poll(() => forms.locator('#forms-notice').textContent())
      .toBe('Recorded MeetingScheduled (revision 0).');

    const outcome = forms.locator('form#outcome'); // the new meeting is chosen, its forms drawn
    await outcome.waitFor();
    expect(await forms.locator('.meeting-state').textContent()).toContain('Coalition Small Group: after Mosul');
    await outcome.getByLabel('Kind').selectOption('milestone');
    await outcome.getByLabel('Summary').fill('The Prime Minister of Iraq declared Mosul liberated from ISIS');
    await outcome.getByLabel('Theatre').fill('mosul');
    await outcome.getByLabel('Stage').selectOption('liberated');
    await outcome.getByLabel('Occurred on').fill('2017-07-10');
    await forms.screenshot({ path: join(ARTIFACTS, 'console-forms.png'), fullPage: true });
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
    await watcher.screenshot({ path: join(ARTIFACTS, 'console-timeline-live.png'), fullPage: true });
    expect(problems).toEqual([]);
    await forms.close();
    await watcher.close();
  });

  it("shows a refusal next to its field: the browser's own check, and the ledger's", async () => {
    const page = await signedIn('secretariat');
    await page.getByRole('button', { name: 'Forms' }).click();
    const chooser = page.getByRole('combobox', { name: 'Meeting', exact: true });
    await chooser.locator('option', { hasText: 'after Mosul' }).waitFor({ state: 'attached' });
    const meetingId = await chooser.locator('option', { hasText: 'after Mosul' }).getAttribute('value');
    await chooser.selectOption(meetingId ?? '');

    const outcome = page.locator('form#outcome');
    const sentBefore = commands.length;
    await outcome.getByLabel('Summary').fill('Raqqa contested');
    await outcome.getByLabel('Theatre').fill('Raqqa City');
    await outcome.getByRole('button', { name: 'Record the outcome' }).click();
    await expect.poll(() => page.locator('#outcome-theatre-error').textContent()).toContain('lower-case slug');
    expect(await outcome.getByLabel('Theatre').getAttribute('aria-invalid')).toBe('true');
    expect(commands.length).toBe(sentBefore); // the browser's check refused it: nothing sent

    const attendance = page.locator('form#attendance');
    await attendance.getByLabel('Participant id').fill('atlantis');
    await attendance.getByRole('button', { name: 'Record attendance' }).click();
    await expect
      .poll(() => page.locator('#attendance-participantId-error').textContent())
      .toContain('atlantis is neither an admitted member nor an observer invited');
    expect(await attendance.getByLabel('Participant id').getAttribute('aria-invalid')).toBe('true');
    expect(await attendance.locator('.form-error').textContent()).toBe('The command breaks a rule of the ledger');
    await page.screenshot({ path: join(ARTIFACTS, 'console-forms-refused.png'), fullPage: true });
    expect(problems.filter((problem) => !problem.includes(refusalLogged(422)))).toEqual([]);
    await page.close();
  });
});
