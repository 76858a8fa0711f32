/**
 * 9. The dashboard stays responsive: a real server process (embedded store) holding 1,000 finished
 * handoffs, the handoffs page in headless Chromium scrolled until all 1,000 rows are loaded, then 50
 * handoffs running (each a chain of short delays: about 10 events/s each, 500/s in all on the page's
 * live feed) while keys are typed into a filter field. Measured in the page: long tasks (the Long
 * Tasks API, > 50 ms on the main thread) and input-to-paint latency (keydown to the frame after it:
 * a requestAnimationFrame then a task, the usual approximation of the next paint). Skipped without Chromium.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDashboard, HAVE_CHROMIUM, launchChromium, localOnlyContext } from '../../test/support/browser.js';
import {
  killAll,
  listeningPort,
  postGraphQL,
  type ServerProcess,
  spawnServer,
} from '../../test/support/server-process.js';
import { log, median, QUICK, type Row, RUNS, report, round } from '../support/common.js';

const STORED = QUICK ? 200 : 1_000;
const RUNNING = QUICK ? 10 : 50;
const KEYSTROKES = QUICK ? 10 : 40;
const STEPS = 40;
const STEP_MS = 100;

const PROCEDURES = `mutation {
  quick: createProcedure(input: { id: "BENCH_QUICK", name: "Quick", steps: [{ id: "a", name: "A", kind: NOOP, timeoutMs: 5000 }] }) { userErrors { message } }
  live: createProcedure(input: { id: "BENCH_LIVE", name: "Live", steps: [${Array.from({ length: STEPS }, (_, i) => `{ id: "d${i}", name: "Delay ${i}", kind: DELAY, params: { ms: ${STEP_MS} }, timeoutMs: 5000 }`).join(' ')}] }) { userErrors { message } }
}`;

/** Installed before the page's own scripts: what the page measures about itself. */
const PROBE = () => {
  const probe = { longTasks: [] as number[], inputToPaint: [] as number[] };
  (globalThis as unknown as { __probe: typeof probe }).__probe = probe;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) probe.longTasks.push(entry.duration);
  }).observe({ type: 'longtask', buffered: true });
  addEventListener(
    'keydown',
    () => {
      const start = performance.now();
      requestAnimationFrame(() => setTimeout(() => probe.inputToPaint.push(performance.now() - start), 0));
    },
    { capture: true },
  );
};

function starts(procedureId: string, count: number): string {
  return Array.from(
    { length: count },
    (_, j) => `h${j}: initiateHandoff(input: { procedureId: "${procedureId}" }) { userErrors { message } }`,
  ).join(' ');
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function oneRun(dashboardDir: string): Promise<{
  loadMs: number;
  longTasks: number;
  longTaskMs: number;
  maxLongTaskMs: number;
  p50: number;
  p95: number;
  max: number;
}> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-bench-dashboard-'));
  const servers: ServerProcess[] = [];
  const browser = await launchChromium();
  try {
    const server = spawnServer({
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DASHBOARD_DIR: dashboardDir,
    });
    servers.push(server);
    const port = await listeningPort(server);
    const gql = async (query: string) => {
      const body = await postGraphQL(port, query);
      const problems = [
        ...(body.errors ?? []),
        ...Object.values(body.data ?? {}).flatMap((payload: any) => payload?.userErrors ?? []),
      ];
      if (problems.length > 0) throw new Error(`setup refused: ${JSON.stringify(problems).slice(0, 500)}`);
      return body;
    };
    await gql(PROCEDURES);
    // Ten a request: the server's alias limit is 15.
    for (let i = 0; i < STORED; i += 10) await gql(`mutation { ${starts('BENCH_QUICK', Math.min(10, STORED - i))} }`);
    log(`${STORED} handoffs stored`);

    const { context, leaks } = await localOnlyContext(browser);
    await context.addInitScript(PROBE);
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(`http://127.0.0.1:${port}/#/handoffs`);
    // Infinite scroll: keep bringing the end into view until every stored handoff is a row.
    for (;;) {
      const rows = await page.locator('table.handoffs tbody tr a').count();
      if (rows >= STORED) break;
      await page.mouse.wheel(0, 100_000);
      await page.waitForFunction(
        (count) => document.querySelectorAll('table.handoffs tbody tr a').length > count,
        rows,
      );
    }
    const loadMs = performance.now() - started;
    await page.evaluate(() => {
      const probe = (globalThis as unknown as { __probe: { longTasks: number[]; inputToPaint: number[] } }).__probe;
      probe.longTasks.length = 0;
      probe.inputToPaint.length = 0;
    });

    for (let i = 0; i < RUNNING; i += 10) await gql(`mutation { ${starts('BENCH_LIVE', Math.min(10, RUNNING - i))} }`);
    await page.getByRole('button', { name: /new handoffs?: show/ }).waitFor();
    const field = page.getByLabel('Agent', { exact: true });
    for (let i = 0; i < KEYSTROKES; i++) {
      await field.press(i % 5 === 4 ? 'Backspace' : 'a');
      await page.waitForFunction(
        (count) =>
          (globalThis as unknown as { __probe: { inputToPaint: number[] } }).__probe.inputToPaint.length > count,
        i,
      );
    }
    const probe = await page.evaluate(
      () => (globalThis as unknown as { __probe: { longTasks: number[]; inputToPaint: number[] } }).__probe,
    );
    if (leaks.length > 0) throw new Error(`requests left the machine: ${leaks.join(', ')}`);
    return {
      loadMs,
      longTasks: probe.longTasks.length,
      longTaskMs: probe.longTasks.reduce((sum, value) => sum + value, 0),
      maxLongTaskMs: Math.max(0, ...probe.longTasks),
      p50: percentile(probe.inputToPaint, 50),
      p95: percentile(probe.inputToPaint, 95),
      max: Math.max(...probe.inputToPaint),
    };
  } finally {
    await browser.close();
    await killAll(servers);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (!HAVE_CHROMIUM) {
  report({ rows: [{ section: 'dashboard', name: 'skipped: no Chromium', value: 0, unit: '' }] });
} else {
  const dashboardDir = buildDashboard();
  const runs: Awaited<ReturnType<typeof oneRun>>[] = [];
  for (let run = 0; run < RUNS; run++) {
    runs.push(await oneRun(dashboardDir));
    log(`run ${run + 1}: ${JSON.stringify(runs.at(-1))}`);
  }
  fs.rmSync(dashboardDir, { recursive: true, force: true });
  const figure = (pick: (run: (typeof runs)[number]) => number, digits = 0) => ({
    value: round(median(runs.map(pick)), digits),
    runs: runs.map((run) => round(pick(run), digits)),
  });
  const context = `${STORED} rows, ${RUNNING} running`;
  const rows: Row[] = [
    { section: 'dashboard', name: `load ${STORED} rows by scrolling`, unit: 'ms', ...figure((run) => run.loadMs) },
    {
      section: 'dashboard',
      name: `input-to-paint p95 (${context})`,
      unit: 'ms',
      ...figure((run) => run.p95, 1),
      goal: '< 100 ms',
      met: median(runs.map((run) => run.p95)) < 100,
    },
    { section: 'dashboard', name: `input-to-paint max (${context})`, unit: 'ms', ...figure((run) => run.max, 1) },
    {
      section: 'dashboard',
      name: `long tasks while typing (${context})`,
      unit: 'tasks',
      ...figure((run) => run.longTasks),
      note: `longest ${round(Math.max(...runs.map((run) => run.maxLongTaskMs)))} ms`,
    },
  ];
  report({ rows, details: { runs } });
}
