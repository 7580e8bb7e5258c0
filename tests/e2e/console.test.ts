import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchConsoleBrowser, startDemoServer, type ConsoleBrowser } from './consoleBrowser.js';
import { stop, type Server } from './serverProcess.js';

const ARTIFACTS = 'tests/e2e/artifacts';
const READER_TOKEN = 'console-e2e-reporter-token-0123456789';

describe.skipIf(!hasChromium())('the web console in a real browser, on the demo week', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-console-'));
  let server: Server;
  let consoleBrowser: ConsoleBrowser;
  let browser: ConsoleBrowser['context'];
  let problems: string[];
  const openConsole = () => consoleBrowser.open();

  beforeAll(async () => {
    // Illustrative: the Lake Chad Basin lane below is invented data, not from the note.
    server = await startDemoServer(dataDir, { reporter: READER_TOKEN });
    consoleBrowser = await launchConsoleBrowser(server.baseUrl);
    ({ context: browser, problems } = consoleBrowser);
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await consoleBrowser?.close();
    if (server) await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs a reporter in and shows the July 2017 week, with no console errors or CSP violations', async () => {
    const page = await openConsole();
    await page.getByLabel('API token').fill(READER_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await expect.poll(() => page.locator('#who').textContent(), { timeout: 10_000 }).toContain('reporter#');
    const plenary = page.locator('article.meeting', { hasText: 'Full Coalition meeting (72 members)' });
    await plenary.waitFor({ timeout: 10_000 });
    expect(await plenary.locator('time').getAttribute('datetime')).toMatch(/^2017-07-12T/);
    expect(await page.locator('section.day h3 time').allTextContents()).toEqual(
      expect.arrayContaining(['2017-07-11', '2017-07-12', '2017-07-13']),
    );
    await page.screenshot({ path: join(ARTIFACTS, 'console-agenda.png'), fullPage: true });

    // The session lives in an HttpOnly cookie: nothing the page's scripts can read or keep.
    expect(await page.evaluate('document.cookie')).toBe('');
    expect(await page.evaluate('JSON.stringify(localStorage)')).toBe('{}');
    expect(page.url()).not.toContain(READER_TOKEN);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("draws the progress timeline with Mosul's and Raqqa's lanes at the stages the demo recorded", async () => {
    const page = await openConsole(); // still signed in: the session cookie from the test above
    await page.getByRole('button', { name: 'Timeline' }).click();
    const stagesOf = async (theatre: string) =>
      Promise.all(
        (await page.locator(`svg.lane[data-theatre="${theatre}"] circle.point`).all()).map(
          async (point) => `${await point.getAttribute('data-date')} ${await point.getAttribute('data-stage')}`,
        ),
      );
    await page.locator('svg.lane[data-theatre="mosul"]').waitFor();
    expect(await stagesOf('mosul')).toEqual(['2017-07-05 verge-of-liberation']);
    expect(await stagesOf('raqqa')).toEqual(['2017-07-05 offensive-underway']);
    expect(await stagesOf('lake-chad-basin')).toEqual(['2017-07-13 contested']);
    await page.screenshot({ path: join(ARTIFACTS, 'console-timeline.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('loads the chart code only when a timeline is shown, and caches every asset for a year', async () => {
    // Given a signed-in reader on the agenda, with every script the page fetches noted
    const page = await openConsole();
    const scripts: { url: string; cacheControl: string }[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('.js'))
        scripts.push({ url: response.url(), cacheControl: response.headers()['cache-control'] ?? '' });
    });
    await page.reload();
    await page.locator('article.meeting').first().waitFor({ timeout: 10_000 });
    const beforeTimeline = scripts.length;
    // When the timeline is opened
    await page.getByRole('button', { name: 'Timeline' }).click();
    await page.locator('svg.lane[data-theatre="mosul"]').waitFor();
    // Then one more script (Plot's chunk) was fetched for it, and each script is cached for a year
    expect(scripts.slice(beforeTimeline).map((s) => new URL(s.url).pathname)).toEqual([
      expect.stringMatching(/^\/console\/assets\/chunk-[A-Z0-9]{8}\.js$/),
    ]);
    for (const script of scripts) expect(script.cacheControl).toBe('public, max-age=31536000, immutable');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('refuses a wrong token with a visible message', async () => {
    await browser.clearCookies();
    const page = await openConsole();
    await page.getByLabel('API token').fill('not-a-token-of-this-ledger');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.locator('#sign-in-message').textContent(), { timeout: 10_000 })
      .toBe('This token is not known to the ledger.');
    await page.screenshot({ path: join(ARTIFACTS, 'console-refused.png') });
    // The refused sign-in itself is the 401 Chromium reports; nothing else may have gone wrong.
    expect(problems.filter((problem) => !problem.includes('401'))).toEqual([]);
    await page.close();
  });
});
