import { describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, screenshot, seriousAccessibilityViolations } from '../support/browser.js';
import { type DashboardServer, dashboardSession } from '../support/dashboard-session.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

/**
 * What an operator comes to the dashboard for: the stored history on the Overview (after a restart
 * too), failures first and one click from Retry, finding a handoff and reading its payloads and ETA,
 * filtering by date and metadata, webhook deliveries, bulk operations, the queue per key, the advice
 * a procedure's history gives, and starting a handoff with everything it needs. Each in Chromium,
 * against a real server process; every wait is for a DOM or stored state.
 */
const FLAKY = `mutation {
  createProcedure(input: {
    id: "OPS_FLAKY" name: "Flaky delivery"
    steps: [
      { id: "prepare", name: "Prepare", kind: NOOP, timeoutMs: 5000,
        compensation: { id: "unprepare", name: "Unprepare", kind: NOOP, timeoutMs: 5000 } }
      { id: "deliver", name: "Deliver", kind: SIMULATE, params: { failureProbability: 1, durationMs: 1 }, timeoutMs: 5000,
        retry: { maxAttempts: 1 } }
    ]
  }) { userErrors { message } }
  quick: createProcedure(input: {
    id: "OPS_QUICK" name: "Quick"
    steps: [{ id: "only", name: "Only", kind: SIMULATE, params: { durationMs: 5 }, timeoutMs: 5000 }]
  }) { userErrors { message } }
}`;

async function start(server: DashboardServer, procedureId: string, ids: string[], extra = ''): Promise<void> {
  for (let i = 0; i < ids.length; i += 10) {
    const starts = ids
      .slice(i, i + 10)
      .map(
        (id, n) =>
          `h${n}: initiateHandoff(input: { handoffId: "${id}", procedureId: "${procedureId}" ${extra} }) { userErrors { message } }`,
      );
    const answer = await server.gql(`mutation { ${starts.join(' ')} }`);
    expect(answer.errors).toBeUndefined();
    for (const payload of Object.values(answer.data) as { userErrors: unknown[] }[])
      expect(payload.userErrors).toEqual([]);
  }
}

/** Resolves once every handoff of `ids` is in a final status (read from the store). */
async function finished(server: DashboardServer, ids: string[]): Promise<void> {
  await expect
    .poll(
      async () => {
        const answer = await server.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on Handoff { status } } }`, {
          ids: ids.map((id) => Buffer.from(`Handoff:${id}`).toString('base64')),
        });
        return answer.data.nodes.every((node: { status: string } | null) =>
          ['COMPLETED', 'FAILED', 'ROLLED_BACK', 'ROLLBACK_FAILED', 'CANCELLED'].includes(node?.status ?? ''),
        );
      },
      { timeout: 30_000 },
    )
    .toBe(true);
}

/** Resolves once the fold has counted every event committed so far (its position read from the store). */
async function folded(server: DashboardServer, ids: string[]): Promise<void> {
  const last = await server.gql(
    '{ handoffs(first: 1, orderBy: { field: UPDATED_AT, direction: DESC }, filter: { includeTests: true }) { edges { node { updatedAt } } } }',
  );
  const newest = Date.parse(last.data.handoffs.edges[0]?.node.updatedAt ?? new Date(0).toISOString());
  await expect
    .poll(
      async () =>
        Date.parse((await server.gql('{ insightStatus { foldedThrough } }')).data.insightStatus.foldedThrough ?? 0),
      {
        timeout: 30_000,
      },
    )
    .toBeGreaterThanOrEqual(newest);
  expect(ids.length).toBeGreaterThan(0);
}

describe.skipIf(!HAVE_CHROMIUM)('the dashboard for operators', { timeout: 120_000 }, () => {
  const { startServer, startServerProcess, openPage } = dashboardSession();

  it('opens after a restart on the last hour from the stored series, failures styled and listed with Retry; status counts open the filtered list', async () => {
    const first = await startServerProcess({ INSIGHT_POLL_MS: '100' });
    // Nothing ran yet: nothing to rate.
    const { page, leaks, errors } = await openPage();
    await page.goto(`${first.base}/#/`);
    await page.locator('.tile').filter({ hasText: 'Success rate' }).getByText('—', { exact: true }).waitFor();

    expect((await first.gql(FLAKY)).data.createProcedure.userErrors).toEqual([]);
    const quick = ['ops_ok_1', 'ops_ok_2', 'ops_ok_3'];
    const flaky = ['ops_bad_1', 'ops_bad_2'];
    await start(first, 'OPS_QUICK', quick);
    await start(first, 'OPS_FLAKY', flaky);
    await finished(first, [...quick, ...flaky]);
    await folded(first, [...quick, ...flaky]);
    first.server.child.kill('SIGTERM');
    expect((await first.server.exited).code).toBe(0);

    const second = await startServerProcess({ DATA_DIR: first.dataDir });
    await page.goto(`${second.base}/#/`);
    // Without waiting for anything to run again: the series were stored.
    await page.locator('.tile').filter({ hasText: 'Completed (last hour)' }).getByText('3', { exact: true }).waitFor();
    const failedTile = page.locator('.tile').filter({ hasText: 'Failed (last hour)' });
    await failedTile.getByText('2', { exact: true }).waitFor();
    expect(await failedTile.getAttribute('class')).toContain('tile-failure');
    await page.locator('.tile').filter({ hasText: 'Success rate' }).getByText('60.0 %').waitFor();
    expect(Number(await page.getByTestId('chart-Handoffs').getAttribute('data-values'))).toBeGreaterThan(0);

    const failures = page.getByRole('table', { name: 'Recent failures' });
    const row = failures.getByTestId('failure-ops_bad_2');
    await row.getByText('SIMULATED').waitFor();
    await row.getByText('Deliver').waitFor();
    const badge = row.locator('.badge');
    expect(await badge.textContent()).toBe('ROLLED_BACK');
    // A rollback reads as a failure: the same colours as FAILED.
    expect(await badge.evaluate((element) => getComputedStyle(element).color)).toBe('rgb(164, 14, 38)');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'overview-after-restart');

    // The list is read again after a retry; the retried row stays, marked, with the link to its new run.
    // (urql sends a query as a GET when it fits in the URL, else as a POST.)
    const listReadAgain = page.waitForResponse((response) =>
      `${response.url()} ${response.request().postData() ?? ''}`.includes('RecentFailures'),
    );
    await row.getByRole('button', { name: 'Retry ops_bad_2' }).click();
    await listReadAgain;
    await row.getByRole('link', { name: 'Retried: run 2' }).waitFor();
    expect((await second.gql('{ handoff(id: "ops_bad_2") { run } }')).data.handoff.run).toBe(2);

    await page
      .getByRole('list', { name: 'Handoffs by status' })
      .getByRole('link', { name: /^ROLLED_BACK \d+$/ })
      .click();
    await expect.poll(() => page.url()).toContain('status=ROLLED_BACK');
    await page.getByText(/^\d+ handoff\(s\)$/).waitFor();
    const listed = await page.getByRole('table', { name: 'Handoffs' }).getByRole('link').allTextContents();
    expect(listed.sort()).toEqual(listed.filter((id) => id.startsWith('ops_bad_')).sort());
    expect(await page.getByRole('group', { name: 'Status' }).getByLabel('ROLLED_BACK').isChecked()).toBe(true);
    expect(leaks).toEqual([]);
    // The page's reads failed while no server answered, between the two.
    expect(errors.filter((error) => !/ERR_CONNECTION_REFUSED|WebSocket/.test(error))).toEqual([]);
  });

  it("finds a handoff by id and shows each step's input, output and error, each event's data, its ETA, and the slow flag", async () => {
    const server = await startServer({ INSIGHT_POLL_MS: '100' });
    const defined = await server.gql(`mutation {
      createProcedure(input: {
        id: "OPS_TIMED" name: "Timed"
        steps: [
          { id: "review", name: "Review", kind: AWAIT_SIGNAL, timeoutMs: 3600000 }
          { id: "ship", name: "Ship", kind: SIMULATE, params: { durationMs: 6000 }, timeoutMs: 20000 }
        ]
      }) { userErrors { message } }
    }`);
    expect(defined.data.createProcedure.userErrors).toEqual([]);
    // Twenty complete first: the ETA is learned from them (about 6 s from the review on: long enough that the one
    // opened below has not yet waited longer than all of them on a busy machine, which would leave its ETA unknown).
    const learned = Array.from({ length: 20 }, (_, i) => `ops_timed_${i}`);
    await start(server, 'OPS_TIMED', learned);
    for (const id of learned)
      await server.gql(`mutation { signalHandoff(input: { id: "${id}", step: "review" }) { userErrors { message } } }`);
    await finished(server, learned);
    await folded(server, learned);
    expect((await server.gql(FLAKY)).data.createProcedure.userErrors).toEqual([]);
    await start(server, 'OPS_FLAKY', ['ops_find_bad']);
    await start(server, 'OPS_TIMED', ['ops_find_me']);
    await finished(server, ['ops_find_bad']);
    const { page, leaks, errors } = await openPage();

    await page.goto(`${server.base}/#/handoffs`);
    await page.getByRole('search', { name: 'Find a handoff' }).getByLabel('Handoff id').fill('ops_find_me');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('heading', { name: /Handoff ops_find_me/ }).waitFor();
    await page
      .getByTestId('eta')
      .getByText(/from 20 completed runs of this version, counting from step review/)
      .waitFor();
    await page.locator('summary', { hasText: 'Input of Ship' }).click();
    await page.getByTestId('step-ship').locator('pre').getByText('"durationMs": 6000').waitFor();
    await screenshot(page, 'handoff-eta');
    // Left waiting far longer than the completed ones took: slower than their p99.
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.getByRole('heading', { name: /Handoff ops_find_me/ }).waitFor();
          return page.locator('.slow-flag').count();
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toBe(1);

    await page.getByRole('search', { name: 'Find a handoff' }).getByLabel('Handoff id').fill('ops_find_bad');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('heading', { name: /Handoff ops_find_bad/ }).waitFor();
    const deliver = page.getByTestId('step-deliver');
    await deliver.getByText('SIMULATED').waitFor();
    await deliver.getByText(/simulated failure/).waitFor();
    const failedEvent = page.getByTestId('event-log').locator('[data-type="STEP_FAILED"]');
    await failedEvent.locator('summary', { hasText: /Data of event/ }).click();
    await failedEvent.locator('pre').getByText('"code": "SIMULATED"').waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(leaks).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('filters the list by a date range and by a metadata value, and retries a failed handoff with a metadata patch', async () => {
    const server = await startServer();
    expect((await server.gql(FLAKY)).data.createProcedure.userErrors).toEqual([]);
    await start(server, 'OPS_QUICK', ['ops_gold_1', 'ops_gold_2'], 'metadata: { tier: "gold" }');
    await start(server, 'OPS_QUICK', ['ops_silver_1'], 'metadata: { tier: "silver" }');
    await start(server, 'OPS_FLAKY', ['ops_patch_me'], 'metadata: { tier: "gold", attempt: 1 }');
    await finished(server, ['ops_gold_1', 'ops_gold_2', 'ops_silver_1', 'ops_patch_me']);
    const { page, leaks, errors } = await openPage();

    await page.goto(`${server.base}/#/handoffs`);
    const rows = page.getByRole('table', { name: 'Handoffs' }).getByRole('link');
    await page.getByText('4 handoff(s)').waitFor();
    await page.getByLabel('Metadata path').fill('tier');
    await page.getByLabel('equals').fill('gold');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('3 handoff(s)').waitFor();
    expect((await rows.allTextContents()).sort()).toEqual(['ops_gold_1', 'ops_gold_2', 'ops_patch_me']);
    // Created from tomorrow: none; from yesterday: the three again.
    const day = 24 * 3_600_000;
    const local = (ms: number) => new Date(ms - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.getByLabel('Created from').fill(local(Date.now() + day));
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('0 handoff(s)').waitFor();
    await page.getByLabel('Created from').fill(local(Date.now() - day));
    await page.getByLabel('Created before').fill(local(Date.now() + day));
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('3 handoff(s)').waitFor();

    await rows.getByText('ops_patch_me').click();
    await page.getByRole('heading', { name: /Handoff ops_patch_me/ }).waitFor();
    await page.getByLabel(/Metadata patch/).fill('{"attempt": 2, "fixedBy": "ops"}');
    await page.getByRole('button', { name: 'Retry', exact: true }).click();
    await page.getByTestId('run').getByText('2', { exact: true }).waitFor();
    const stored = await server.gql('{ handoff(id: "ops_patch_me") { run metadata } }');
    expect(stored.data.handoff).toMatchObject({ run: 2, metadata: { tier: 'gold', attempt: 2, fixedBy: 'ops' } });
    expect(leaks).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('shows a webhook subscription’s delivery log, redelivers a failed delivery, and pauses the subscription', async () => {
    const receiver = await startWebhookReceiver();
    try {
      let healthy = false;
      receiver.answer = () => (healthy ? 200 : 500);
      const server = await startServer({
        WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
        OUTBOUND_ALLOW_PRIVATE: '127.0.0.1',
        WEBHOOK_MAX_ATTEMPTS: '1',
        WEBHOOK_POLL_MS: '50',
      });
      const registered = await server.gql(
        `mutation($url: String!) { registerWebhook(input: { url: $url, eventTypes: [HANDOFF_COMPLETED], description: "ops pager" }) { webhookSubscription { id } userErrors { message } } }`,
        { url: receiver.url },
      );
      expect(registered.data.registerWebhook.userErrors).toEqual([]);
      expect((await server.gql(FLAKY)).data.createProcedure.userErrors).toEqual([]);
      await start(server, 'OPS_QUICK', ['ops_hook_1']);
      await expect.poll(() => receiver.received.length, { timeout: 20_000 }).toBe(1);
      const { page, leaks, errors } = await openPage();

      await page.goto(`${server.base}/#/webhooks`);
      await page.getByRole('link', { name: receiver.url }).click();
      // The log reads itself again every few seconds.
      const delivery = page.locator('[data-testid^="delivery-ops_hook_1:"]');
      await delivery.getByText('FAILED').waitFor();
      await delivery.getByText(/500/).waitFor();
      healthy = true;
      await delivery.getByRole('button', { name: /Redeliver ops_hook_1:/ }).click();
      await delivery.getByText('DELIVERED').waitFor();
      await delivery.getByText(/^200 in/).waitFor();
      expect(receiver.received.at(-1)?.answered).toBe(200);

      await page.getByRole('button', { name: 'Pause deliveries' }).click();
      await page
        .getByTestId('webhook-state')
        .getByText(/Paused/)
        .waitFor();
      const stored = await server.gql('{ webhookSubscriptions { enabled } }');
      expect(stored.data.webhookSubscriptions).toEqual([{ enabled: false }]);
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      expect(leaks).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it('lists bulk operations with their progress and history, and the queue per fair-share key', async () => {
    const server = await startServer({ FAIR_SHARE_KEY: 'targetAgent', FAIR_SHARE_LIMIT: '1' });
    const defined = await server.gql(`mutation {
      createProcedure(input: {
        id: "OPS_BUSY" name: "Busy"
        steps: [{ id: "work", name: "Work", kind: DELAY, params: { ms: 600000 }, timeoutMs: 600000 }]
      }) { userErrors { message } }
    }`);
    expect(defined.data.createProcedure.userErrors).toEqual([]);
    await start(server, 'OPS_BUSY', ['ops_busy_1', 'ops_busy_2', 'ops_busy_3'], 'targetAgent: "busy-agent"');
    const { page, leaks, errors } = await openPage();

    await page.goto(`${server.base}/#/`);
    const perKey = page.getByRole('table', { name: 'Queue per fair-share key' });
    await perKey
      .getByRole('row')
      .filter({ hasText: 'busy-agent' })
      .getByRole('cell')
      .nth(1)
      .getByText('2', { exact: true })
      .waitFor();
    await page
      .getByTestId('queue-summary')
      .getByText(/fair share by targetAgent/)
      .waitFor();

    const bulk = await server.gql(
      `mutation { startBulkOperation(input: { action: CANCEL, filter: { procedureId: ["OPS_BUSY"] }, reason: "queue drained by hand" }) { bulkOperation { bulkOperationId } userErrors { message } } }`,
    );
    expect(bulk.data.startBulkOperation.userErrors).toEqual([]);
    const operationId = bulk.data.startBulkOperation.bulkOperation.bulkOperationId;
    await page.getByRole('link', { name: 'Bulk operations' }).click();
    const row = page.getByTestId(`bulk-${operationId}`);
    await row.getByText('COMPLETED').waitFor();
    await row.getByText('3 of 3: 3 done, 0 skipped, 0 refused').waitFor();
    await row.getByText('(queue drained by hand)').waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(leaks).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("shows a procedure's timeout and retry advice with its evidence, and applies it as a new version", async () => {
    const server = await startServer({ INSIGHT_POLL_MS: '100', MAX_CONCURRENT_HANDOFFS: '50' });
    const defined = await server.gql(`mutation {
      createProcedure(input: {
        id: "OPS_LEARN" name: "Learn from me"
        steps: [{ id: "call", name: "Call", kind: SIMULATE, params: { durationMs: 1, failureProbability: 0.2 }, timeoutMs: 30000,
          retry: { maxAttempts: 5, initialDelayMs: 1, maxDelayMs: 1, multiplier: 1, jitter: 0 } }]
      }) { userErrors { message } }
    }`);
    expect(defined.data.createProcedure.userErrors).toEqual([]);
    const ids = Array.from({ length: 1_020 }, (_, i) => `ops_learn_${i}`);
    await start(server, 'OPS_LEARN', ids);
    await expect
      .poll(
        async () =>
          (
            await server.gql(
              '{ procedureAdvice(procedureId: "OPS_LEARN") { steps { timeout { recommendedMs } retry { recommendedMaxAttempts } } } }',
            )
          ).data.procedureAdvice.steps[0],
        { timeout: 60_000, interval: 500 },
      )
      .toMatchObject({
        timeout: { recommendedMs: expect.any(Number) },
        retry: { recommendedMaxAttempts: expect.any(Number) },
      });
    const { page, leaks, errors } = await openPage();

    await page.goto(`${server.base}/#/procedures`);
    await page.getByRole('link', { name: 'OPS_LEARN' }).click();
    const advice = page.getByTestId('advice-call');
    await advice.getByText(/^Timeout: /).waitFor();
    await advice.getByText(/^Retries: \d+ attempt\(s\)/).waitFor();
    await advice.getByText(/no attempt timed out; the p99\.9 of \d+ successful attempts/).waitFor();
    await advice
      .getByText(/retries succeeded/)
      .first()
      .waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'procedure-advice');
    await page.getByRole('button', { name: 'Apply as version 2' }).click();
    await page.getByRole('status').getByText('Stored as version 2.').waitFor();
    const stored = await server.gql('{ procedure(id: "OPS_LEARN") { version steps { timeoutMs } } }');
    expect(stored.data.procedure.version).toBe(2);
    expect(stored.data.procedure.steps[0].timeoutMs).toBeLessThan(30_000);
    expect(leaks).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('starts a handoff with its agents, priority and deadline, defaulting to a procedure that runs as it is', async () => {
    const server = await startServer();
    const defined = await server.gql(`mutation {
      a: createProcedure(input: { id: "AAA_NEEDS_AGENTS" name: "Needs agents" requiredAgents: ["nobody"]
        steps: [{ id: "only", name: "Only", kind: NOOP, timeoutMs: 5000 }] }) { userErrors { message } }
      b: createProcedure(input: { id: "ZZZ_HAND_OVER" name: "Hand over"
        steps: [{ id: "hand", name: "Hand", kind: TRANSFER_CONTEXT, params: { keys: ["task"] }, timeoutMs: 5000 }] }) { userErrors { message } }
      c: createProcedure(input: { id: "ZZZ_RUNS" name: "Runs as it is"
        steps: [{ id: "only", name: "Only", kind: NOOP, timeoutMs: 5000 }] }) { userErrors { message } }
    }`);
    expect(Object.values(defined.data).flatMap((payload: any) => payload.userErrors)).toEqual([]);
    for (const [id, permission] of [
      ['ops_source', 'handoff:send'],
      ['ops_target', 'handoff:receive'],
    ])
      expect(
        (
          await server.gql(
            `mutation { registerAgent(input: { id: "${id}", permissions: ["${permission}"] }) { userErrors { message } } }`,
          )
        ).data.registerAgent.userErrors,
      ).toEqual([]);
    const { page, leaks, errors } = await openPage();

    await page.goto(`${server.base}/#/handoffs`);
    await page.getByText('Start a handoff').click();
    const procedure = page.getByLabel('Procedure').first();
    await expect.poll(() => procedure.inputValue()).toBe('ZZZ_RUNS');
    await page.getByTestId('procedure-needs').getByText('Runs as it is.').waitFor();
    await procedure.selectOption('ZZZ_HAND_OVER');
    await page
      .getByTestId('procedure-needs')
      .getByText(/Needs a target agent/)
      .waitFor();
    await page.getByLabel('Handoff id (optional)').fill('ops_started_1');
    await page.getByLabel('Source agent').fill('ops_source');
    await page.getByLabel('Target agent').fill('ops_target');
    await page.getByRole('combobox', { name: /^Priority/ }).selectOption('HIGH');
    await page.getByLabel('Deadline (minutes, optional)').fill('30');
    await page.getByLabel('Context (JSON)').fill('{"task": {"title": "ship it"}}');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => page.url()).toContain('#/handoffs/ops_started_1');
    await page
      .getByRole('heading', { name: /Handoff ops_started_1/ })
      .getByText('COMPLETED')
      .waitFor();
    await page.getByText(/ops_source \(.*\) → ops_target/).waitFor();
    const stored = await server.gql(
      '{ handoff(id: "ops_started_1") { priority deadlineAt sourceAgent targetAgent status } }',
    );
    expect(stored.data.handoff).toMatchObject({
      priority: 'HIGH',
      sourceAgent: 'ops_source',
      targetAgent: 'ops_target',
      status: 'COMPLETED',
    });
    expect(stored.data.handoff.deadlineAt).not.toBeNull();
    expect(leaks).toEqual([]);
    expect(errors).toEqual([]);
  });
});
