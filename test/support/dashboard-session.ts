import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, onTestFailed } from 'vitest';
import type { App } from '../../src/app.js';
import { buildDashboard, launchChromium, localOnlyContext, pageErrors } from './browser.js';
import { createTestApp } from './server.js';
import { killAll, listeningPort, type ServerProcess, spawnServer } from './server-process.js';

export interface DashboardServer {
  port: number;
  base: string;
  dataDir: string;
  gql: (query: string, variables?: object, key?: string) => Promise<any>;
}

/** A server in its own process, for a test that stops it (SIGTERM) and starts another on its data. */
export interface DashboardServerProcess extends DashboardServer {
  server: ServerProcess;
}

/** POSTs one operation to the server on `port`, with the key as a bearer token if given; the parsed body. */
function graphQLOn(port: number): DashboardServer['gql'] {
  return async (query, variables, key) => {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return response.json();
  };
}

/**
 * What a browser test file needs, set up once per file: the dashboard built, Chromium launched, and per
 * test a real server on a port (stopped after each) and pages in contexts that refuse any request not for
 * this machine. Call it inside the file's describe.
 *
 * `startServer` runs the app as `npm start` composes it (embedded store in a fresh DATA_DIR, the built
 * dashboard) in the test's own process: the page talks to it over HTTP and WebSocket as to any server, and no
 * process start-up (about 2.5 s of CPU each) is paid. `startServerProcess` is for a test that must stop the
 * server as an operator would (SIGTERM) and start another on its data.
 */
export function dashboardSession(): {
  startServer: (env?: Record<string, string>) => Promise<DashboardServer>;
  startServerProcess: (env?: Record<string, string>) => Promise<DashboardServerProcess>;
  openPage: () => Promise<{ page: Page; leaks: string[]; errors: string[] }>;
} {
  const apps: App[] = [];
  const servers: ServerProcess[] = [];
  const dataDirs: string[] = [];
  let browser: Browser;
  let dashboardDir: string;

  function freshDataDir(env: Record<string, string>): string {
    const dataDir = env.DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-dashboard-data-'));
    dataDirs.push(dataDir);
    return dataDir;
  }

  async function startServer(env: Record<string, string> = {}): Promise<DashboardServer> {
    const dataDir = freshDataDir(env);
    const { app } = await createTestApp({ STORE: 'embedded', DATA_DIR: dataDir, DASHBOARD_DIR: dashboardDir, ...env });
    apps.push(app);
    const { port } = await app.listen();
    return { port, base: `http://127.0.0.1:${port}`, dataDir, gql: graphQLOn(port) };
  }

  async function startServerProcess(env: Record<string, string> = {}): Promise<DashboardServerProcess> {
    const dataDir = freshDataDir(env);
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
    return { port, base: `http://127.0.0.1:${port}`, dataDir, server, gql: graphQLOn(port) };
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
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await killAll(servers);
  });

  afterAll(async () => {
    await browser?.close();
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  return { startServer, startServerProcess, openPage };
}
