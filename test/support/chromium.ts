import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { WEB_DIST } from '../../src/gateway/static.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where screenshots go (gitignored). */
export const ARTIFACTS_DIR = join(REPO_ROOT, 'test-artifacts');

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** The system Chromium (CHROMIUM_PATH, then Debian's paths), or undefined. Playwright never downloads one. */
export const chromiumPath: string | undefined = CANDIDATES.find((path): path is string => Boolean(path) && existsSync(path!));

/** Why browser tests are skipped, or undefined when they can run; printed once when set. */
export const noChromiumReason: string | undefined = chromiumPath
  ? undefined
  : `browser tests skipped: no Chromium found (set CHROMIUM_PATH, or install it at /usr/bin/chromium or /usr/bin/chromium-browser)`;
if (noChromiumReason) console.warn(`[gamev1 tests] ${noChromiumReason}`);

/**
 * Launches one headless Chromium for the enclosing describe block (beforeAll) and closes it afterwards;
 * the returned function gives the browser inside tests.
 */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: chromiumPath!,
      headless: true,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--mute-audio'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('the browser is not launched (useBrowser() must be called in a describe block)');
    return browser;
  };
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

/**
 * A page in its own context (own storage: a separate player) at `url`, collecting console errors; errors that
 * match one of `ignore` (expected answers the page handles, such as a 404 it shows as "not yet") are left out.
 */
export async function openPage(browser: Browser, url: string, ignore: readonly RegExp[] = []): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors: string[] = [];
  const record = (text: string) => {
    if (!ignore.some((pattern) => pattern.test(text))) errors.push(text);
  };
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const { url: source } = message.location();
    record(`console: ${message.text()}${source ? ` (${source})` : ''}`);
  });
  page.on('pageerror', (error) => record(`pageerror: ${error.message}`));
  await page.goto(url);
  return { context, page, errors, close: () => context.close() };
}

/** Saves a screenshot of the page to test-artifacts/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** With UPDATE_SCREENSHOTS=1, copies a screenshot to docs/screenshots/<name> (the ones the README shows). */
export function keepScreenshot(path: string, name: string): void {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  const docs = join(REPO_ROOT, 'docs', 'screenshots');
  mkdirSync(docs, { recursive: true });
  copyFileSync(path, join(docs, name));
}

/** Builds the web pages when this checkout has none (`npm ci` builds them through prepare; a checkout may skip it). */
export function ensureWebBuilt(): void {
  if (existsSync(join(WEB_DIST, 'index.html'))) return;
  const build = spawnSync('npm', ['run', 'build:web'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build:web failed:\n${build.stdout}\n${build.stderr}`);
}
