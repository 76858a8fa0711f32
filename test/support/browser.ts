import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { ROOT } from './server-process.js';

/** Debian's Chromium (CHROMIUM_PATH to use another): playwright-core never downloads a browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = fs.existsSync(CHROMIUM_PATH);
/**
 * Where each browser test saves its screenshot (git-ignored, so a test run leaves the tree clean).
 * SCREENSHOTS_DIR=docs/screenshots refreshes the two the README shows.
 */
export const SCREENSHOTS_DIR = path.resolve(ROOT, process.env.SCREENSHOTS_DIR ?? 'test-results/screenshots');

if (!HAVE_CHROMIUM) {
  const message = `SKIPPED: browser tests need Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  if (process.env.CI) throw new Error(message);
  console.warn(message);
}

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: LAUNCH_ARGS });
}

/** What the dashboard's build depends on: its sources, its Vite config, and the locked packages. */
function dashboardSources(): string[] {
  const files = [path.join(ROOT, 'package-lock.json')];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'dist' && entry.name !== 'node_modules') walk(full);
      } else files.push(full);
    }
  };
  walk(path.join(ROOT, 'dashboard'));
  return files.sort();
}

/**
 * The built dashboard (the server is pointed at it with DASHBOARD_DIR). A build costs seconds of CPU, so it is
 * kept under node_modules/.cache, named by a hash of what it is built from: every browser test file of a run
 * (and later runs, until a source changes) shares it; a fresh clone builds it once.
 */
export function buildDashboard(): string {
  const hash = createHash('sha256');
  for (const file of dashboardSources())
    hash.update(path.relative(ROOT, file)).update('\0').update(fs.readFileSync(file));
  const outDir = path.join(ROOT, 'node_modules/.cache/handoff-dashboard', hash.digest('hex').slice(0, 16));
  if (fs.existsSync(path.join(outDir, 'index.html'))) return outDir;
  // Built beside its place and renamed into it, so a build cut short is never taken for a finished one.
  const building = `${outDir}.${process.pid}`;
  const run = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'dashboard/vite.config.ts'],
    {
      cwd: ROOT,
      // vitest sets NODE_ENV=test, and Vite keeps a NODE_ENV it is given: that would be React's development build.
      env: { ...process.env, NODE_ENV: 'production', DASHBOARD_OUT_DIR: building },
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) throw new Error(`dashboard build failed:\n${run.stdout}${run.stderr}`);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.renameSync(building, outDir);
  return outDir;
}

function isLocal(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return true;
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/**
 * A browser context whose every request is checked: anything not for this machine is aborted and
 * remembered (`leaks`), WebSockets included, so a test can assert that nothing left the machine.
 */
export async function localOnlyContext(browser: Browser): Promise<{ context: BrowserContext; leaks: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // A step that never comes fails with the locator it waited for, before the test's own timeout.
  context.setDefaultTimeout(20_000);
  const leaks: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLocal(url)) return route.continue();
    leaks.push(url);
    return route.abort('blockedbyclient');
  });
  await context.routeWebSocket(/.*/, (socket) => {
    if (isLocal(socket.url())) {
      socket.connectToServer();
      return;
    }
    leaks.push(socket.url());
    void socket.close();
  });
  return { context, leaks };
}

/** Console errors and uncaught page errors, to show when a test fails. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `${name}.png`), fullPage: false });
}

/** axe-core run inside the page; the violations that are serious or critical. */
export async function seriousAccessibilityViolations(
  page: Page,
): Promise<{ id: string; impact: string; help: string; targets: string[] }[]> {
  const source = fs.readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run: (
            context: unknown,
            options: unknown,
          ) => Promise<{
            violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
          }>;
        };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? 'unknown',
      help: violation.help,
      targets: violation.nodes.map((node) => String(node.target)),
    }));
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}
