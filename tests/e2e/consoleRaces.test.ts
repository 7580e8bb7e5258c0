import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, Route } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium, launchConsoleBrowser, startDemoServer, signIn, type ConsoleBrowser } from './consoleBrowser.js';
import { stop, type Server } from './serverProcess.js';

const TOKENS = {
  secretariat: 'console-races-secretariat-token-0123',
  auditor: 'console-races-auditor-token-01234567',
  reporter: 'console-races-reporter-token-0123456',
} as const;

/**
 * Runs in every page before its own scripts: notes each JSON answer the page has read (path and query)
 * and counts the reads and hashes still under way, so a test can wait until the page has done all it
 * would do with an answer it was held back from, instead of sleeping.
 */
const NOTE_ANSWERS = `(() => {
  const page = (window.consoleRaces = { answered: [], pending: 0 });
  const track = (work) => {
    page.pending++;
    return work.finally(() => page.pending--);
  };
  const json = Response.prototype.json;
  Response.prototype.json = function () {
    const url = new URL(this.url);
    return track(json.call(this).then((body) => (page.answered.push(url.pathname + url.search), body)));
  };
  const digest = SubtleCrypto.prototype.digest;
  SubtleCrypto.prototype.digest = function (...args) {
    return track(digest.apply(this, args));
  };
})()`;

type Held = { route: Route; url: URL };

/** Holds the first request `matches` picks until the test lets it go; others pass. */
const holdFirst = async (page: Page, matches: (url: URL) => boolean): Promise<{ held: Promise<Held> }> => {
  let caught: (held: Held) => void;
  const held = new Promise<Held>((resolve) => (caught = resolve));
  let first = true;
  await page.route(
    (url) => matches(url),
    async (route) => {
      if (!first) return route.continue();
      first = false;
      caught({ route, url: new URL(route.request().url()) });
    },
  );
  return { held };
};

/** Waits until the page has read the answer to `path` and finished all it started with it. */
const settledAfter = (page: Page, path: string) =>
  page.waitForFunction((answer) => {
    const { answered, pending } = (globalThis as unknown as { consoleRaces: { answered: string[]; pending: number } })
      .consoleRaces;
    return answered.includes(answer) && pending === 0;
  }, path);

describe.skipIf(!hasChromium())('the console when answers arrive out of order, in a real browser', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-console-races-'));
  let server: Server;
  let chromium: ConsoleBrowser;
  let problems: string[];
  let page: Page;

  beforeAll(async () => {
    server = await startDemoServer(dataDir, TOKENS);
    chromium = await launchConsoleBrowser(server.baseUrl);
    problems = chromium.problems;
    await chromium.context.addInitScript({ content: NOTE_ANSWERS });
  });
  beforeEach(() => {
    problems.length = 0;
  });
  afterAll(async () => {
    await page?.close();
    await chromium?.close();
    if (server) await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const signedIn = async (role: keyof typeof TOKENS): Promise<Page> => {
    await page?.close();
    await chromium.context.clearCookies();
    page = await chromium.open();
    await signIn(page, TOKENS[role]);
    return page;
  };

  it('draws the forms of the meeting chosen last when the one chosen before answers after it', async () => {
    // Given the secretariat's forms, and two meetings to choose from
    const page = await signedIn('secretariat');
    await page.getByRole('button', { name: 'Forms' }).click();
    const chooser = page.getByRole('combobox', { name: 'Meeting', exact: true });
    await chooser.locator('option').nth(2).waitFor({ state: 'attached' });
    const meetings = await Promise.all(
      (await chooser.locator('option:not([value=""])').all()).map(async (option) => ({
        id: (await option.getAttribute('value')) ?? '',
        text: (await option.textContent()) ?? '',
      })),
    );
    const titleOf = (option: { text: string }) => option.text.replace(/^\S+ · (.*) \([\w-]+\)$/, '$1');
    const a = meetings[0];
    const b = meetings.find((meeting) => titleOf(meeting) !== titleOf(a!));
    expect(b).toBeDefined();
    const aRead = await holdFirst(page, (url) => url.pathname === `/v1/meetings/${a!.id}`);

    // When A is chosen, then B, and A's answer arrives after B's
    await chooser.selectOption(a!.id);
    const held = await aRead.held;
    await chooser.selectOption(b!.id);
    await page.locator('.meeting-state', { hasText: titleOf(b!) }).waitFor();
    await held.route.continue();
    await settledAfter(page, held.url.pathname + held.url.search);

    // Then the forms are still B's, as the chooser says
    expect(await chooser.inputValue()).toBe(b!.id);
    expect(await page.locator('.meeting-state').textContent()).toContain(titleOf(b!));
    expect(await page.locator('.meeting-state a').getAttribute('href')).toBe(`#/meetings/${encodeURIComponent(b!.id)}`);
    expect(problems).toEqual([]);
  });

  it('keeps the agenda shown when the timeline was left before its chart code arrived', async () => {
    // Given a reader on the agenda, the chart's code held back
    const page = await signedIn('reporter');
    await page.locator('article.meeting').first().waitFor();
    const chunk = await holdFirst(page, (url) => /^\/console\/assets\/chunk-\w+\.js$/.test(url.pathname));

    // When Timeline is clicked, then Agenda, and only then does the chart's code arrive
    await page.getByRole('button', { name: 'Timeline' }).click();
    const held = await chunk.held;
    await page.getByRole('button', { name: 'Agenda' }).click();
    await page.locator('article.meeting').first().waitFor();
    await held.route.continue();
    // The module is evaluated (and the page's own import answered) before this import of it resolves.
    // (As a string: vitest would rewrite an import() written in a function.)
    await page.evaluate(`import(${JSON.stringify(held.url.href)}).then(() => undefined)`);

    // Then the agenda is still the page shown
    expect(await page.locator('#pages [aria-current="page"]').textContent()).toBe('Agenda');
    expect(await page.locator('article.meeting').count()).toBeGreaterThan(0);
    expect(await page.locator('#timeline').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('says to reload the page when the chart code cannot be loaded', async () => {
    // Given a reader whose console's chart code is gone (a redeploy since the page was opened)
    const page = await signedIn('reporter');
    await page.locator('article.meeting').first().waitFor();
    await page.route('**/console/assets/chunk-*', (route) => route.fulfill({ status: 404, body: 'gone' }));

    // When the timeline is opened
    await page.getByRole('button', { name: 'Timeline' }).click();

    // Then it says so, and what to do
    await expect
      .poll(() => page.locator('#timeline [role="alert"]').textContent())
      .toMatch(/^The chart could not be loaded .*: reload the page\.$/);
    expect(problems.filter((problem) => !problem.includes('404'))).toEqual([]);
  });

  /** The timeline of a reader, its slider, and the latest position (the slider's end). */
  const timelineOf = async (page: Page) => {
    await page.getByRole('button', { name: 'Timeline' }).click();
    await page.locator('svg.lane').first().waitFor();
    const slider = page.getByLabel('As of position');
    return { slider, latest: Number(await slider.getAttribute('max')) };
  };
  /** Answers a request with the ledger's problem details for `status`. */
  const refusing = (status: number, title: string, detail: string) => (route: Route) =>
    route.fulfill({ status, contentType: 'application/problem+json', json: { title, status, detail } });
  const asOf = (position: number) => (url: URL) =>
    url.pathname === '/v1/timeline' && url.searchParams.get('asOf') === String(position);

  it('shows a failed position of the timeline only at that position, not while the next one loads', async () => {
    // Given a timeline whose read at one position fails, and whose read at the position before it is held back
    const page = await signedIn('reporter');
    const { slider, latest } = await timelineOf(page);
    await page.route(asOf(latest - 1), refusing(503, 'Service Unavailable', 'The store is unavailable'));
    const before = await holdFirst(page, asOf(latest - 2));
    const alert = page.locator('#timeline-chart [role="alert"]');

    // When the slider moves to the failing position, then on to the next
    await slider.fill(String(latest - 1));
    await expect.poll(() => alert.textContent()).toBe('The ledger could not answer: The store is unavailable');
    await slider.fill(String(latest - 2));
    const held = await before.held;

    // Then the failure is gone while the next position loads, and that position is drawn once it answers
    expect(await alert.count()).toBe(0);
    expect(await page.locator('#timeline-chart').getAttribute('aria-busy')).toBe('true');
    await held.route.continue();
    await page.locator(`#timeline-chart[data-position="${latest - 2}"][aria-busy="false"]`).waitFor();
    expect(await alert.count()).toBe(0);
    expect(problems.filter((problem) => !problem.includes('503'))).toEqual([]);
  });

  it('does not redraw the lanes when the chart is drawn again with the same entries', async () => {
    // Given a timeline whose lanes are marked, and a read of a past position held back
    const page = await signedIn('reporter');
    const { slider, latest } = await timelineOf(page);
    const lanes = page.locator('svg.lane');
    await page.evaluate(
      `document.querySelectorAll('svg.lane').forEach((lane) => lane.setAttribute('data-drawn-before', ''))`,
    );
    const past = await holdFirst(page, asOf(latest - 1));

    // When the slider moves, so the chart is drawn again, still with the latest entries, while that position loads
    await slider.fill(String(latest - 1));
    const held = await past.held;
    await page.locator('#timeline-chart[aria-busy="true"]').waitFor();

    // Then each lane is the one drawn before, not drawn afresh by Plot
    expect(await lanes.count()).toBeGreaterThan(0);
    expect(await page.locator('svg.lane:not([data-drawn-before])').count()).toBe(0);
    await held.route.continue();
    await page.locator(`#timeline-chart[data-position="${latest - 1}"][aria-busy="false"]`).waitFor();
    expect(problems).toEqual([]);
  });

  it('reloads the console when the session is lost while the slider moves', async () => {
    // Given a timeline whose session ends before a position is read
    const page = await signedIn('reporter');
    const { slider, latest } = await timelineOf(page);
    await page.route(asOf(latest - 1), refusing(401, 'Unauthorized', 'The session has ended'));

    // When the slider moves there
    const reloaded = page.waitForEvent('load');
    await slider.fill(String(latest - 1));

    // Then the console reloads (and, the session cookie still good here, opens signed in)
    await reloaded;
    await page.locator('#sign-out').waitFor();
    expect(problems.filter((problem) => !problem.includes('401'))).toEqual([]);
  });

  it('shows the verdict of the position asked for last, not of an earlier check that answered after it', async () => {
    // Given an auditor opening the audit page for the log's last event, its proof held back
    const { position } = (await (
      await fetch(`${server.baseUrl}/v1/audit/checkpoint`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKENS.auditor}` },
      })
    ).json()) as { position: number };
    const page = await signedIn('auditor');
    const proof = await holdFirst(page, (url) => url.pathname === '/v1/audit/proofs/inclusion');
    await page.goto(`${server.baseUrl}/#/audit/${position}`);
    const held = await proof.held;
    expect(held.url.searchParams.get('position')).toBe(String(position));

    // When position 1 is checked meanwhile, and the first check's proof arrives only after that verdict
    await page.getByLabel('Event position').fill('1');
    await page.getByRole('button', { name: 'Verify inclusion' }).click();
    const inclusion = () => page.locator('#inclusion-result').textContent();
    await expect.poll(inclusion).toMatch(/^✔ Verified in this browser: the event at position 1 \(/);
    await held.route.continue();
    await settledAfter(page, held.url.pathname + held.url.search);

    // Then the verdict is still position 1's, the position the field holds
    expect(await inclusion()).toMatch(/^✔ Verified in this browser: the event at position 1 \(/);
    expect(await page.getByLabel('Event position').inputValue()).toBe('1');
    expect(problems).toEqual([]);
  });
});
