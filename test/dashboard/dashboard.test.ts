import { describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, screenshot, seriousAccessibilityViolations } from '../support/browser.js';
import { dashboardSession } from '../support/dashboard-session.js';

/**
 * The dashboard in headless Chromium against a real server (its own process where a test restarts it): what a
 * person sees and can do.
 * Every wait is for a DOM state (Playwright's auto-waiting locators), never for a time.
 */
const OPERATOR_KEY = 'operator-key-0123456789';
const VIEWER_KEY = 'viewer-key-0123456789ab';
const ADMIN_KEY = 'admin-key-0123456789abcd';

const REVIEWED = `mutation {
  createProcedure(input: {
    id: "DASH_REVIEWED" name: "Reviewed release"
    steps: [
      { id: "prepare", name: "Prepare", kind: NOOP, timeoutMs: 5000,
        compensation: { id: "unprepare", name: "Unprepare", kind: NOOP, timeoutMs: 5000 } }
      { id: "review", name: "Review", kind: AWAIT_SIGNAL, timeoutMs: 3600000 }
      { id: "ship", name: "Ship", kind: SIMULATE, params: { durationMs: 20 }, timeoutMs: 5000 }
    ]
  }) { userErrors { message } }
}`;

describe.skipIf(!HAVE_CHROMIUM)('dashboard in a browser', () => {
  const { startServer, startServerProcess, openPage } = dashboardSession();

  it('starts a handoff from the page and shows its steps complete live, the waiting one approved on the page', async () => {
    const { base, gql } = await startServer();
    expect((await gql(REVIEWED)).data.createProcedure.userErrors).toEqual([]);
    const { page, leaks, errors } = await openPage();

    await page.goto(`${base}/#/handoffs`);
    await page.getByText('Start a handoff').click();
    await page.getByLabel('Procedure').first().selectOption('DASH_REVIEWED');
    await page.getByLabel('Handoff id (optional)').fill('dash_live_1');
    await page.getByRole('button', { name: 'Start', exact: true }).click();

    await expect.poll(() => page.url()).toContain('#/handoffs/dash_live_1');
    const timeline = page.getByTestId('timeline');
    // The live feed shows the first step done and the review waiting, before anything else is asked of the server.
    await timeline.getByText('prepare, attempt 1: succeeded').waitFor();
    await timeline.getByText(/review, attempt 1: waiting/).waitFor();
    await page.getByRole('button', { name: 'Approve Review' }).click();
    await timeline.getByText(/ship, attempt 1: succeeded/).waitFor();
    await page.getByTestId('event-log').locator('[data-type="HANDOFF_COMPLETED"]').waitFor();
    await page.getByTestId('step-ship').getByText('SUCCEEDED').waitFor();
    await page
      .getByRole('heading', { name: /Handoff dash_live_1/ })
      .getByText('COMPLETED')
      .waitFor();
    await screenshot(page, 'handoff-detail');

    const stored = await gql('{ handoff(id: "dash_live_1") { status } }');
    expect(stored.data.handoff.status).toBe('COMPLETED');
    expect(leaks).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("keeps a handoff's page live across a server restart: the log picks up where it was, with nothing twice", async () => {
    const first = await startServerProcess();
    await first.gql(REVIEWED);
    await first.gql(
      'mutation { initiateHandoff(input: { handoffId: "dash_restart_1", procedureId: "DASH_REVIEWED" }) { userErrors { message } } }',
    );
    const { page, leaks, errors } = await openPage();
    await page.goto(`${first.base}/#/handoffs/dash_restart_1`);
    await page
      .getByTestId('timeline')
      .getByText(/review, attempt 1: waiting/)
      .waitFor();

    first.server.child.kill('SIGTERM');
    expect((await first.server.exited).code).toBe(0);
    const second = await startServerProcess({ DATA_DIR: first.dataDir, PORT: String(first.port) });
    await second.gql(
      'mutation { signalHandoff(input: { id: "dash_restart_1", step: "review" }) { userErrors { message } } }',
    );

    const log = page.getByTestId('event-log');
    await log.locator('[data-type="HANDOFF_COMPLETED"]').waitFor();
    const seqs = await log.locator('.seq').allTextContents();
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, index) => `#${index + 1}`));
    expect(leaks).toEqual([]);
    // The browser reports the refused reconnects while the server was down.
    expect(errors.filter((error) => !/WebSocket|ERR_CONNECTION_REFUSED/.test(error))).toEqual([]);
  });

  it('lists handoffs 50 a page, loads the next page when the end scrolls into view, and narrows the list with the filters', async () => {
    const { base, gql } = await startServer();
    await gql(REVIEWED);
    for (let batch = 0; batch < 6; batch++) {
      const starts = Array.from(
        { length: 10 },
        (_, i) =>
          `h${i}: initiateHandoff(input: { handoffId: "dash_list_${batch * 10 + i}", procedureId: "DASH_REVIEWED" }) { userErrors { message } }`,
      );
      await gql(`mutation { ${starts.join(' ')} }`);
    }
    await gql('mutation { cancelHandoff(input: { id: "dash_list_7" }) { userErrors { message } } }');
    const { page, leaks, errors } = await openPage();

    await page.goto(`${base}/#/handoffs`);
    const rows = page.getByRole('table', { name: 'Handoffs' }).getByRole('link');
    await page.getByText('60 handoff(s); scroll for more').waitFor();
    expect(await rows.count()).toBe(50);
    await page.mouse.wheel(0, 100_000);
    await expect.poll(() => rows.count()).toBe(60);

    await page.getByRole('group', { name: 'Status' }).getByLabel('CANCELLED').check();
    await page.getByText('1 handoff(s)').waitFor();
    expect(await rows.allTextContents()).toEqual(['dash_list_7']);
    expect(leaks).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('fills the overview from the stored series: handoffs per minute, step attempts, and the totals of the range', async () => {
    const { base, gql } = await startServer({ INSIGHT_POLL_MS: '100' });
    await gql(REVIEWED);
    // The first step of each succeeds at once; dash_over_1's review is approved below, dash_over_2's waits.
    await gql(
      'mutation { a: initiateHandoff(input: { handoffId: "dash_over_1", procedureId: "DASH_REVIEWED" }) { userErrors { message } } b: initiateHandoff(input: { handoffId: "dash_over_2", procedureId: "DASH_REVIEWED" }) { userErrors { message } } }',
    );
    await gql('mutation { signalHandoff(input: { id: "dash_over_1", step: "review" }) { userErrors { message } } }');
    const { page, leaks, errors } = await openPage();
    await page.goto(`${base}/#/`);

    const values = (title: string) => page.getByTestId(`chart-${title}`).getAttribute('data-values').then(Number);
    // The page reads the series again every few seconds: the fold counts the handoffs within a poll.
    await expect.poll(() => values('Handoffs'), { timeout: 20_000 }).toBeGreaterThan(0);
    await expect.poll(() => values('Step attempts'), { timeout: 20_000 }).toBeGreaterThan(0);
    // One point a minute over the last hour.
    expect(Number(await page.getByTestId('chart-Handoffs').getAttribute('data-points'))).toBeGreaterThanOrEqual(60);
    await page.locator('.tile').filter({ hasText: 'Created (last hour)' }).getByText('2', { exact: true }).waitFor();
    await page.locator('.tile').filter({ hasText: 'Completed (last hour)' }).getByText('1', { exact: true }).waitFor();
    await screenshot(page, 'overview-series');
    expect(leaks).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('cancels a handoff from its page: the cancel and the rollback of the step before it show up live', async () => {
    const { base, gql } = await startServer();
    await gql(REVIEWED);
    await gql(
      'mutation { initiateHandoff(input: { handoffId: "dash_cancel_1", procedureId: "DASH_REVIEWED" }) { userErrors { message } } }',
    );
    const { page, leaks, errors } = await openPage();

    await page.goto(`${base}/#/handoffs/dash_cancel_1`);
    await page
      .getByTestId('timeline')
      .getByText(/review, attempt 1: waiting/)
      .waitFor();
    await page.getByLabel('Reason').fill('not today');
    await page.getByRole('button', { name: 'Cancel handoff' }).click();
    await page.getByTestId('event-log').locator('[data-type="HANDOFF_CANCELLED"]').waitFor();
    await page
      .getByTestId('timeline')
      .getByText(/Compensation of prepare, attempt 1: succeeded/)
      .waitFor();
    await page
      .getByRole('heading', { name: /Handoff dash_cancel_1/ })
      .getByText('CANCELLED')
      .waitFor();
    // A final handoff offers no actions.
    await expect.poll(() => page.getByRole('button', { name: 'Cancel handoff' }).count()).toBe(0);
    await screenshot(page, 'handoff-cancelled');

    const stored = await gql('{ handoff(id: "dash_cancel_1") { status cancelReason } }');
    expect(stored.data.handoff).toEqual({ status: 'CANCELLED', cancelReason: 'not today' });
    expect(leaks).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('shows one bar per attempt of a retried step, and the compensation that follows its last failure', async () => {
    const { base, gql } = await startServer();
    const defined = await gql(`mutation {
      createProcedure(input: {
        id: "DASH_FLAKY" name: "Flaky"
        steps: [
          { id: "prepare", name: "Prepare", kind: NOOP, timeoutMs: 5000,
            compensation: { id: "unprepare", name: "Unprepare", kind: NOOP, timeoutMs: 5000 } }
          { id: "flaky", name: "Flaky", kind: SIMULATE, params: { durationMs: 1, failureProbability: 1 }, timeoutMs: 5000,
            retry: { maxAttempts: 3, initialDelayMs: 10 } }
        ]
      }) { userErrors { message } }
    }`);
    expect(defined.data.createProcedure.userErrors).toEqual([]);
    await gql(
      'mutation { initiateHandoff(input: { handoffId: "dash_flaky_1", procedureId: "DASH_FLAKY" }) { userErrors { message } } }',
    );
    const { page, leaks, errors } = await openPage();

    await page.goto(`${base}/#/handoffs/dash_flaky_1`);
    const timeline = page.getByTestId('timeline');
    await page.getByTestId('event-log').locator('[data-type="HANDOFF_ROLLED_BACK"]').waitFor();
    for (const attempt of [1, 2, 3])
      await timeline.getByText(new RegExp(`^flaky, attempt ${attempt}: failed`)).waitFor();
    await timeline.getByText(/^Compensation of prepare, attempt 1: succeeded/).waitFor();
    await page.getByTestId('step-flaky').getByText('FAILED', { exact: true }).waitFor();
    await screenshot(page, 'handoff-retried');
    expect(leaks).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('starts a reliability test from the page and fills in its progress chart, then its result and per-window latency chart', async () => {
    const { base } = await startServer();
    const { page, leaks, errors } = await openPage();

    await page.goto(`${base}/#/reliability`);
    await page.getByLabel('Configuration').selectOption('RELIABILITY_STANDARD');
    await page.getByRole('textbox', { name: 'Iterations' }).fill('30');
    await page.getByLabel('Window (ms)').fill('100');
    await page.getByRole('button', { name: 'Start test' }).click();

    await expect.poll(() => page.url()).toMatch(/#\/reliability\/.+/);
    await page.getByTestId('test-result').waitFor();
    await expect
      .poll(async () => Number(await page.getByTestId('chart-Progress').getAttribute('data-points')))
      .toBeGreaterThan(1);
    await expect
      .poll(async () => Number(await page.getByTestId('chart-Latency per window (ms)').getAttribute('data-points')))
      .toBeGreaterThan(0);
    await page.getByTestId('test-progress').getByText('30 of 30 iterations done').waitFor();
    await screenshot(page, 'reliability-test');
    expect(leaks).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("edits a procedure as JSON with the server's userErrors shown by field path, and disables a validation rule", async () => {
    const { base, gql } = await startServer();
    await gql(REVIEWED);
    const { page, leaks, errors } = await openPage();

    await page.goto(`${base}/#/procedures`);
    await page.getByRole('button', { name: 'Edit DASH_REVIEWED' }).click();
    const editor = page.getByLabel(/Definition \(JSON/);
    const definition = await editor.inputValue();
    // Every field the read gives back goes back in the edit, compensations included.
    expect(JSON.parse(definition).steps[0].compensation).toMatchObject({ id: 'unprepare', kind: 'NOOP' });
    await editor.fill(definition.replace('"timeoutMs": 5000', '"timeoutMs": -1'));
    await page.getByRole('button', { name: 'Save' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'steps.0.timeoutMs' })
      .getByText(/timeoutMs must be/)
      .waitFor();
    await editor.fill(definition.replace('"timeoutMs": 5000', '"timeoutMs": 7000'));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: /DASH_REVIEWED v2/ }).waitFor();
    const stored = await gql('{ procedure(id: "DASH_REVIEWED") { version steps { timeoutMs compensation { id } } } }');
    expect(stored.data.procedure).toMatchObject({
      version: 2,
      steps: [{ timeoutMs: 7000, compensation: { id: 'unprepare' } }, {}, {}],
    });

    await page.getByRole('link', { name: 'Validation' }).click();
    await page.getByRole('button', { name: 'Disable VR008' }).click();
    await page.getByRole('button', { name: 'Enable VR008' }).waitFor();
    expect((await gql('{ validationRule(id: "VR008") { enabled } }')).data.validationRule.enabled).toBe(false);
    await screenshot(page, 'validation');
    expect(leaks).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("lists agents with their status and latest handoff, and follows an agent's feed live", async () => {
    const { base, gql } = await startServer();
    await gql(REVIEWED);
    const registered = await gql(
      'mutation { registerAgent(input: { id: "agent_dash", capabilities: ["review"] }) { userErrors { message } } }',
    );
    expect(registered.data.registerAgent.userErrors).toEqual([]);
    const { page, leaks, errors } = await openPage();

    await page.goto(`${base}/#/agents`);
    const row = page.getByRole('row').filter({ hasText: 'agent_dash' });
    await row.getByText('READY').waitFor();
    await row.getByText('review').waitFor();
    await page.getByRole('button', { name: 'Follow agent_dash' }).click();
    await page.getByRole('heading', { name: 'Feed of agent_dash' }).waitFor();
    // A handoff naming the agent arrives on its feed while the page follows it.
    await gql(
      'mutation { initiateHandoff(input: { handoffId: "dash_agent_1", procedureId: "DASH_REVIEWED", targetAgent: "agent_dash" }) { userErrors { message } } }',
    );
    await page
      .getByRole('list', { name: 'Feed of agent_dash' })
      .getByText(/HANDOFF_ASSIGNED dash_agent_1/)
      .waitFor();
    await screenshot(page, 'agents');
    expect(leaks).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('asks for a key when the server requires one; a viewer key sees no actions, an operator key does', async () => {
    const { base, gql } = await startServer({
      API_KEYS: `ops:operator:${OPERATOR_KEY},look:viewer:${VIEWER_KEY},root:admin:${ADMIN_KEY}`,
      HOST: '127.0.0.1',
    });
    expect((await gql(REVIEWED, undefined, OPERATOR_KEY)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const admin = await gql(REVIEWED, undefined, ADMIN_KEY);
    expect(admin.data.createProcedure.userErrors).toEqual([]);
    const started = await gql(
      'mutation { initiateHandoff(input: { handoffId: "dash_keys_1", procedureId: "DASH_REVIEWED" }) { handoff { status } userErrors { message } } }',
      undefined,
      OPERATOR_KEY,
    );
    expect(started.data.initiateHandoff.userErrors).toEqual([]);
    const { page, leaks, errors } = await openPage();

    await page.goto(`${base}/#/handoffs`);
    await page.getByLabel('API key').waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByLabel('API key').fill('not-a-key-0123456789');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('That key was refused').waitFor();
    await page.getByLabel('API key').fill(VIEWER_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('viewer').getByText('look (viewer)').waitFor();
    await page.getByRole('link', { name: 'dash_keys_1' }).waitFor();
    expect(await page.getByText('Start a handoff').count()).toBe(0);
    await page.getByRole('link', { name: 'dash_keys_1' }).click();
    await page
      .getByTestId('timeline')
      .getByText(/review, attempt 1: waiting/)
      .waitFor();
    expect(await page.getByRole('button', { name: /Cancel handoff|Approve|Reject|Pause|Resume|Retry/ }).count()).toBe(
      0,
    );
    await page.getByRole('link', { name: 'Procedures' }).click();
    await page.getByRole('heading', { name: /DASH_REVIEWED/ }).waitFor();
    expect(await page.getByRole('button', { name: /New procedure|Edit / }).count()).toBe(0);
    await page.getByRole('link', { name: 'Reliability' }).click();
    await page.getByRole('heading', { name: 'Tests' }).waitFor();
    expect(await page.getByRole('button', { name: 'Start test' }).count()).toBe(0);
    await screenshot(page, 'viewer-key');
    // The key is kept for this tab only.
    expect(await page.evaluate(() => sessionStorage.getItem('handoff.apiKey'))).toBe(VIEWER_KEY);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);

    await page.getByRole('button', { name: 'Forget key' }).click();
    await page.getByLabel('API key').fill(OPERATOR_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('viewer').getByText('ops (operator)').waitFor();
    await page.goto(`${base}/#/handoffs/dash_keys_1`);
    await page.getByRole('button', { name: 'Cancel handoff' }).waitFor();
    await page.getByRole('button', { name: 'Approve Review' }).waitFor();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    expect(leaks).toEqual([]);
    expect(errors.filter((error) => !/401|Unauthorized/i.test(error))).toEqual([]);
  });

  it('has no serious or critical accessibility violations (axe-core) on any page', async () => {
    const { base, gql } = await startServer();
    await gql(REVIEWED);
    await gql(
      'mutation { initiateHandoff(input: { handoffId: "dash_a11y_1", procedureId: "DASH_REVIEWED" }) { userErrors { message } } }',
    );
    const started = await gql(
      'mutation { startReliabilityTest(input: { configId: "RELIABILITY_STANDARD", overrides: { iterations: 5 } }) { test { testId } userErrors { message } } }',
    );
    const testId = started.data.startReliabilityTest.test.testId;
    const { page, leaks } = await openPage();
    const pages: [string, () => Promise<unknown>][] = [
      ['#/', () => page.getByRole('heading', { name: 'Overview' }).waitFor()],
      ['#/handoffs', () => page.getByRole('link', { name: 'dash_a11y_1' }).waitFor()],
      [
        '#/handoffs/dash_a11y_1',
        () =>
          page
            .getByTestId('timeline')
            .getByText(/review, attempt 1: waiting/)
            .waitFor(),
      ],
      ['#/agents', () => page.getByRole('heading', { name: 'Agents' }).waitFor()],
      ['#/procedures/DASH_REVIEWED', () => page.getByTestId('advice').waitFor()],
      ['#/webhooks', () => page.getByRole('heading', { name: 'Webhook subscriptions' }).waitFor()],
      ['#/bulk', () => page.getByRole('heading', { name: 'Bulk operations' }).waitFor()],
      ['#/procedures', () => page.getByRole('heading', { name: /DASH_REVIEWED/ }).waitFor()],
      ['#/validation', () => page.getByRole('heading', { name: /VR001/ }).waitFor()],
      ['#/reliability', () => page.getByRole('button', { name: 'Start test' }).waitFor()],
      [`#/reliability/${testId}`, () => page.getByTestId('test-result').waitFor()],
    ];
    const found: Record<string, unknown> = {};
    for (const [hash, ready] of pages) {
      await page.goto(`${base}/${hash}`);
      await ready();
      const violations = await seriousAccessibilityViolations(page);
      if (violations.length > 0) found[hash] = violations;
    }
    await page.goto(`${base}/#/`);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await screenshot(page, 'overview');
    expect(found).toEqual({});
    // The check itself finds a serious violation when there is one: a button with no name.
    await page.evaluate(() =>
      document.querySelector('main')!.append(Object.assign(document.createElement('button'), { type: 'button' })),
    );
    expect((await seriousAccessibilityViolations(page)).map((violation) => violation.id)).toContain('button-name');
    expect(leaks).toEqual([]);
  });
});
