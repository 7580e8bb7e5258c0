import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Debian's chromium (`apt-get install -y chromium`, as .ci/run does): Playwright's download cannot work here. */
export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = 'tests/e2e/artifacts';
export const hasChromium = existsSync(CHROMIUM);

/** Says out loud that a browser test is skipped, and why. */
export const warnWithoutChromium = (what: string): void => {
  if (!hasChromium)
    process.stderr.write(`\nSKIPPING ${what}: ${CHROMIUM} is missing (apt-get install -y chromium)\n\n`);
};

/** Headless chromium with its profile in `profile`; screenshots go under ARTIFACTS. */
export const launchConsoleBrowser = async (profile: string): Promise<BrowserContext> => {
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  // A page that never shows what the test waits for fails within the test's own time, with its locator named.
  browser.setDefaultTimeout(10_000);
  mkdirSync(ARTIFACTS, { recursive: true });
  return browser;
};

/**
 * Opens the console in a new page, reporting into `problems` its console errors, uncaught exceptions
 * and CSP violations (the page's own `securitypolicyviolation` events, besides Chromium's messages).
 */
export const openConsole = async (browser: BrowserContext, baseUrl: string, problems: string[]): Promise<Page> => {
  const page = await browser.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  // Runs before the page's own scripts, from the browser's devtools side: the page's CSP does not apply to it.
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (event) =>
      console.error('CSP violation: ' + event.violatedDirective + ' ' + event.blockedURI))`,
  });
  await page.goto(`${baseUrl}/`);
  return page;
};

/** Signs in with `token` and waits until the header names the role. */
export const signIn = async (page: Page, token: string, role: string): Promise<void> => {
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => page.locator('#who').textContent(), { timeout: 10_000 }).toContain(`${role}#`);
};
