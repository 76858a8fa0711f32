import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, onTestFailed } from 'vitest';
import { buildDashboard, launchChromium, localOnlyContext, pageErrors } from './browser.js';
import { killAll, listeningPort, postGraphQL, type ServerProcess, spawnServer } from './server-process.js';

export interface DashboardServer {
  port: number;
  base: string;
  dataDir: string;
  server: ServerProcess;
  gql: (query: string, variables?: object, key?: string) => Promise<any>;
}

/**
 * What a browser test file needs, set up once per file: the dashboard built, Chromium launched, and per
 * test real server processes (killed after each) and pages in contexts that refuse any request not for
 * this machine. Call it inside the file's describe.
 */
export function dashboardSession(): {
  startServer: (env?: Record<string, string>) => Promise<DashboardServer>;
  openPage: () => Promise<{ page: Page; leaks: string[]; errors: string[] }>;
} {
  const servers: ServerProcess[] = [];
  const dataDirs: string[] = [];
  let browser: Browser;
  let dashboardDir: string;

  async function startServer(env: Record<string, string> = {}): Promise<DashboardServer> {
    const dataDir = env.DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-dashboard-data-'));
    dataDirs.push(dataDir);
    const server = spawnServer({
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DASHBOARD_DIR: dashboardDir,
      ...env,
    });
    servers.push(server);
    const port = await listeningPort(server);
    const gql = async (query: string, variables?: object, key?: string) => {
      if (!key) return postGraphQL(port, query, variables);
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query, variables }),
      });
      return response.json();
    };
    return { port, base: `http://127.0.0.1:${port}`, dataDir, server, gql };
  }

  /** A page in a context that refuses (and records) any request not for this machine. */
  async function openPage(): Promise<{ page: Page; leaks: string[]; errors: string[] }> {
    const { context, leaks } = await localOnlyContext(browser);
    const page = await context.newPage();
    const errors = pageErrors(page);
    // What the page showed when a step failed: the locator's message alone rarely says why.
    onTestFailed(async () => {
      console.error(
        `page at ${page.url()} (errors: ${errors.join('; ') || 'none'}):\n${(
          await page
            .locator('main')
            .innerHTML()
            .catch(() => '')
        ).slice(0, 4000)}`,
      );
    });
    return { page, leaks, errors };
  }

  beforeAll(async () => {
    dashboardDir = buildDashboard();
    browser = await launchChromium();
  }, 120_000);

  afterEach(async () => {
    await killAll(servers);
  });

  afterAll(async () => {
    await browser?.close();
    for (const dir of [...dataDirs, dashboardDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  return { startServer, openPage };
}
