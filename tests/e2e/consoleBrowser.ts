import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { runDemo } from '../../src/cli/demo.js';
import { loadConfig } from '../../src/config.js';
import { startServer, type Server } from './serverProcess.js';

/** Debian's chromium (`apt-get install -y chromium`, as .ci/run does): Playwright's download cannot work here. */
export const CHROMIUM = '/usr/bin/chromium';

export const hasChromium = (): boolean => {
  if (existsSync(CHROMIUM)) return true;
  process.stderr.write(
    `\nSKIPPING the browser tests of the console: ${CHROMIUM} is missing (apt-get install -y chromium)\n\n`,
  );
  return false;
};

export type ConsoleBrowser = {
  context: BrowserContext;
  /** Console errors and uncaught exceptions of every page opened: CSP violations are reported as console errors. */
  problems: string[];
  /** A new page at `baseUrl`/, its problems collected. */
  open: () => Promise<Page>;
  close: () => Promise<void>;
};

/** Headless chromium with a profile of its own, each page's console errors and uncaught exceptions collected. */
export const launchConsoleBrowser = async (baseUrl: string): Promise<ConsoleBrowser> => {
  const profile = mkdtempSync(join(tmpdir(), 'ledger-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
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
  context.setDefaultTimeout(10_000);
  const problems: string[] = [];
  const open = async (): Promise<Page> => {
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    await page.goto(`${baseUrl}/`);
    return page;
  };
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, problems, open, close };
};

/** Signs in on the console's sign-in form and waits until the page says who is signed in. */
export const signIn = async (page: Page, token: string): Promise<void> => {
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#sign-out').waitFor();
};

/**
 * The demo week with its invented (illustrative) events in `dataDir`, served by a ledger process that
 * knows `tokens` (role -> token), logging warnings only.
 */
export const startDemoServer = async (dataDir: string, tokens: Record<string, string>): Promise<Server> => {
  await runDemo(loadConfig({ LEDGER_DATA_DIR: dataDir, LEDGER_TOKENS: '' }), () => undefined, { illustrative: true });
  const known = Object.entries(tokens).map(([role, token]) => `${role}:${token}`);
  return startServer(dataDir, { LEDGER_TOKENS: known.join(','), LOG_LEVEL: 'warn' });
};
