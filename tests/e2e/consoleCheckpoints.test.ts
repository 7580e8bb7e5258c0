import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchConsoleBrowser, signIn, type ConsoleBrowser } from './consoleBrowser.js';
import { startServer, stop, type Server } from './serverProcess.js';

const SCREENSHOTS = 'test-results/console';
const AUDITOR = 'checkpoints-e2e-auditor-token-0123456789';
const SECRETARIAT = 'checkpoints-e2e-secretariat-token-0123456789';

type Listed = { treeSize: number; position: number; signedAt: string; text: string };

const extendsVerdict = (newer: number, older: number) =>
  `✔ Verified in this browser: the signed tree of ${newer} events extends the signed tree of ${older}: nothing before was rewritten`;

describe.skipIf(!hasChromium())('the audit page offers the checkpoints the ledger kept', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-checkpoints-'));
  let server: Server;
  let browser: ConsoleBrowser;
  /** What GET /v1/audit/checkpoints lists once three members were admitted, a checkpoint after each. */
  let kept: Listed[];

  const call = async <T>(token: string, method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    expect(response.ok, `${method} ${path}: ${response.status}`).toBe(true);
    return (await response.json()) as T;
  };

  /** Signs checkpoints until one covers `position` (the audit log indexes as it follows the log; bounded). */
  const checkpointAt = async (position: number) => {
    for (let tries = 0; tries < 100; tries += 1) {
      const signed = await call<{ position: number }>(AUDITOR, 'POST', '/v1/audit/checkpoint');
      if (signed.position === position) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no checkpoint reached position ${position}`);
  };

  beforeAll(async () => {
    server = await startServer(dataDir, {
      LEDGER_TOKENS: `auditor:${AUDITOR},secretariat:${SECRETARIAT}`,
      LOG_LEVEL: 'warn',
    });
    for (const memberId of ['iraq', 'france', 'japan']) {
      const { position } = await call<{ position: number }>(SECRETARIAT, 'POST', '/v1/members', {
        memberId,
        name: memberId,
        kind: 'state',
      });
      await checkpointAt(position);
    }
    kept = (await call<{ checkpoints: Listed[] }>(AUDITOR, 'GET', '/v1/audit/checkpoints')).checkpoints;
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

  /** Signs in afresh as an auditor and opens the audit page; `beforehand` runs before the page is drawn. */
  const openAudit = async (beforehand: (page: Page) => Promise<unknown> = async () => undefined): Promise<Page> => {
    await browser.context.clearCookies();
    const page = await browser.open();
    await beforehand(page);
    await signIn(page, AUDITOR);
    await page.getByRole('button', { name: 'Audit' }).click();
    await expect
      .poll(() => page.locator('#checkpoint-result').textContent())
      .toBe('✔ Verified in this browser: Ed25519 signature by meeting-ledger');
    return page;
  };

  it('preselects the newest checkpoint before the latest as the older, and offers every kept size with its signing time', async () => {
    // Given the empty tree's checkpoint and one after each of three events
    expect(kept.map((c) => c.treeSize)).toEqual([3, 2, 1, 0]);

    // When an auditor opens the audit page
    const page = await openAudit();

    // Then the older size is the one kept before the latest, the newer the latest
    await expect.poll(() => page.getByLabel('Older tree size').inputValue()).toBe('2');
    expect(await page.getByLabel('Newer tree size').inputValue()).toBe('3');
    // and both fields offer the kept sizes a proof can start from, newest first, each with its signing time
    for (const field of ['Older tree size', 'Newer tree size']) {
      expect(await page.getByLabel(field).getAttribute('list')).toBe('kept-sizes');
      // Room for the size beside the list's arrow and the spinner (Chromium leaves none at the default width).
      expect((await page.getByLabel(field).boundingBox())?.width).toBeGreaterThan(100);
    }
    const options = await Promise.all(
      (await page.locator('#kept-sizes option').all()).map(async (o) => [
        await o.getAttribute('value'),
        await o.getAttribute('label'),
      ]),
    );
    const signed = (c: Listed) => `signed ${c.signedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`;
    expect(options).toEqual(kept.filter((c) => c.treeSize > 0).map((c) => [String(c.treeSize), signed(c)]));
    expect(await page.locator('#kept-checkpoints-note').textContent()).toMatch(
      /^The tree size fields offer the 3 latest checkpoints the ledger kept, signed from \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC to \d{4}-/,
    );

    // When the check is asked for without typing anything
    await page.getByRole('button', { name: 'Verify consistency' }).click();

    // Then the last stretch of history is proven
    await expect.poll(() => page.locator('#consistency-result').textContent()).toBe(extendsVerdict(3, 2));
    await shot(page, 'audit-kept-checkpoints');

    // And a checkpoint held outside the ledger, pasted, still takes the place of the older size
    await page.getByLabel('Older tree size').fill('');
    await page.getByLabel(/a checkpoint you hold/).fill(kept.find((c) => c.treeSize === 1)!.text);
    await page.getByRole('button', { name: 'Verify consistency' }).click();
    await expect.poll(() => page.locator('#consistency-result').textContent()).toBe(extendsVerdict(3, 1));
    expect(browser.problems).toEqual([]);
    await page.close();
  });

  it('says why when the ledger cannot list them, and checks a size typed by hand', async () => {
    // Given a ledger that cannot answer the list
    const page = await openAudit((opened) =>
      opened.route('**/v1/audit/checkpoints', (route) =>
        route.fulfill({
          status: 503,
          contentType: 'application/problem+json',
          body: JSON.stringify({
            type: 'urn:meeting-ledger:problem:store-unavailable',
            title: 'Down',
            status: 503,
            detail: 'The store is unavailable',
          }),
        }),
      ),
    );

    // When the page is drawn, then it says so, and nothing is preselected
    await expect
      .poll(() => page.locator('#audit [role="alert"]').textContent())
      .toBe('The ledger could not answer: The store is unavailable');
    expect(await page.getByLabel('Older tree size').inputValue()).toBe('');
    expect(await page.locator('#kept-sizes').count()).toBe(0);

    // When a size is typed by hand, then the check runs as before
    await page.getByLabel('Older tree size').fill('1');
    await page.getByRole('button', { name: 'Verify consistency' }).click();
    await expect.poll(() => page.locator('#consistency-result').textContent()).toBe(extendsVerdict(3, 1));
    await page.close();
  });
});
