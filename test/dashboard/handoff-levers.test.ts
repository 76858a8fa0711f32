import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, screenshot, seriousAccessibilityViolations } from '../support/browser.js';
import { dashboardSession } from '../support/dashboard-session.js';

/**
 * The operator's levers on the dashboard, in headless Chromium against a real server process: retry a
 * failed handoff, pause and resume one, order and narrow the list. A local webhook receiver answers what
 * each test sets. Every wait is for a DOM state, never for a time.
 */
let receiver: http.Server;
let webhookUrl: string;
/** What the receiver answers now. */
let answer = 200;

beforeAll(async () => {
  receiver = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(answer);
      response.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
});

const REVIEWED = `mutation {
  createProcedure(input: {
    id: "LEVER_REVIEWED" name: "Reviewed release"
    steps: [
      { id: "prepare", name: "Prepare", kind: NOOP, timeoutMs: 5000 }
      { id: "review", name: "Review", kind: AWAIT_SIGNAL, timeoutMs: 3600000 }
      { id: "ship", name: "Ship", kind: NOOP, timeoutMs: 5000 }
    ]
  }) { userErrors { message } }
}`;

/** Reserve (undone by release on a rollback), then notify the receiver, with the given retry policy. */
function notifying(id: string, retry: string): string {
  return `mutation {
    createProcedure(input: {
      id: "${id}" name: "${id}"
      steps: [
        { id: "reserve", name: "Reserve", kind: NOOP, timeoutMs: 5000,
          compensation: { id: "release", name: "Release", kind: NOOP, timeoutMs: 5000 } }
        { id: "notify", name: "Notify", kind: WEBHOOK, params: { url: "${webhookUrl}" }, timeoutMs: 5000, retry: ${retry} }
      ]
    }) { userErrors { message } }
  }`;
}

const initiate = (handoffId: string, procedureId: string, extra = '') =>
  `mutation { initiateHandoff(input: { handoffId: "${handoffId}", procedureId: "${procedureId}" ${extra} }) { userErrors { message } } }`;

describe.skipIf(!HAVE_CHROMIUM)("the dashboard's operator levers", () => {
  const { startServer, openPage } = dashboardSession();

  it('retries a rolled-back handoff from its page: the refused step choice is shown, then run 2 completes live', async () => {
    const { base, gql } = await startServer({ WEBHOOK_ALLOW_HOSTS: '127.0.0.1', OUTBOUND_ALLOW_PRIVATE: '127.0.0.1' });
    expect(
      (await gql(notifying('LEVER_NOTIFY', '{ maxAttempts: 2, initialDelayMs: 5 }'))).data.createProcedure.userErrors,
    ).toEqual([]);
    answer = 400;
    expect((await gql(initiate('lever_retry_1', 'LEVER_NOTIFY'))).data.initiateHandoff.userErrors).toEqual([]);
    const { page, leaks, errors } = await openPage();

    await page.goto(`${base}/#/handoffs/lever_retry_1`);
    const log = page.getByTestId('event-log');
    await log.locator('[data-type="HANDOFF_ROLLED_BACK"]').waitFor();
    // A 400 is not retried: one attempt, its failure code shown beside the step.
    await page.getByTestId('step-notify').getByText('HTTP_400').waitFor();
    await page
      .getByTestId('timeline')
      .getByText(/^notify, attempt 1: failed/)
      .waitFor();
    await page.getByTestId('run').getByText('1', { exact: true }).waitFor();
    await page
      .getByRole('heading', { name: /Handoff lever_retry_1/ })
      .getByText('ROLLED_BACK')
      .waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // Restarting past the undone reserve step is refused, and the page says why.
    await page.getByLabel('From step').selectOption('notify');
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByRole('alert').getByText('INVALID_STATE').waitFor();

    answer = 200;
    await page.getByLabel('From step').selectOption('');
    await page.getByRole('button', { name: 'Retry' }).click();
    const timeline = page.getByTestId('timeline');
    await log.locator('[data-type="HANDOFF_REDRIVEN"]').getByText('run 2').waitFor();
    await timeline.getByText(/^Run 2: reserve, attempt 1: succeeded/).waitFor();
    await timeline.getByText(/^Run 2: notify, attempt 1: succeeded/).waitFor();
    await log.locator('[data-type="HANDOFF_COMPLETED"]').waitFor();
    await page
      .getByRole('heading', { name: /Handoff lever_retry_1/ })
      .getByText('COMPLETED')
      .waitFor();
    await page.getByTestId('run').getByText('2', { exact: true }).waitFor();
    // Run 1's bars stay drawn beside run 2's.
    await timeline.getByText(/^Compensation of reserve, attempt 1: succeeded/).waitFor();
    expect(await page.getByRole('button', { name: 'Retry' }).count()).toBe(0);
    await screenshot(page, 'handoff-retried-run-2');

    const stored = await gql('{ handoff(id: "lever_retry_1") { status run } }');
    expect(stored.data.handoff).toEqual({ status: 'COMPLETED', run: 2 });
    // The page sent the run it showed: the same retry sent again cannot start a third run.
    const again = await gql(
      'mutation { retryHandoff(input: { id: "lever_retry_1", expectedRun: 1 }) { userErrors { code } } }',
    );
    expect(again.data.retryHandoff.userErrors.map((error: { code: string }) => error.code)).toEqual([
      'VERSION_CONFLICT',
    ]);
    expect(leaks).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('pauses a handoff waiting on a signal from its page, shows it PAUSED once the step is decided, and resumes it', async () => {
    const { base, gql } = await startServer();
    expect((await gql(REVIEWED)).data.createProcedure.userErrors).toEqual([]);
    await gql(initiate('lever_pause_1', 'LEVER_REVIEWED'));
    const { page, leaks, errors } = await openPage();

    await page.goto(`${base}/#/handoffs/lever_pause_1`);
    await page
      .getByTestId('timeline')
      .getByText(/review, attempt 1: waiting/)
      .waitFor();
    await page.getByLabel('Reason').fill('downstream maintenance');
    await page.getByRole('button', { name: 'Pause' }).click();
    // The waiting step is not interrupted: the pause takes effect before the next one.
    await page
      .getByRole('status')
      .getByText(/Pause asked for/)
      .waitFor();
    // The request is the server's (pauseRequestedAt), shown beside the status: a page opened afresh shows it too.
    await page.reload();
    await page
      .getByRole('heading', { name: /Handoff lever_pause_1/ })
      .getByTestId('pause-requested')
      .getByText(/pause asked at/)
      .waitFor();
    await page
      .getByRole('status')
      .getByText(/Pause asked for/)
      .waitFor();
    await page.getByRole('button', { name: 'Approve Review' }).click();
    await page.getByTestId('event-log').locator('[data-type="HANDOFF_PAUSED"]').waitFor();
    await page
      .getByRole('heading', { name: /Handoff lever_pause_1/ })
      .getByText('PAUSED')
      .waitFor();
    await page.getByText(/since .*: downstream maintenance/).waitFor();
    expect(await page.getByTestId('pause-requested').count()).toBe(0);
    await screenshot(page, 'handoff-paused');

    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByTestId('event-log').locator('[data-type="HANDOFF_RESUMED"]').waitFor();
    await page
      .getByTestId('timeline')
      .getByText(/^ship, attempt 1: succeeded/)
      .waitFor();
    await page
      .getByRole('heading', { name: /Handoff lever_pause_1/ })
      .getByText('COMPLETED')
      .waitFor();
    const stored = await gql('{ handoff(id: "lever_pause_1") { status events(limit: 100) { type } } }');
    const trail = stored.data.handoff.events.map((event: { type: string }) => event.type);
    expect(trail.slice(trail.indexOf('HANDOFF_PAUSED'))).toEqual([
      'HANDOFF_PAUSED',
      'HANDOFF_RESUMED',
      'STEP_STARTED',
      'STEP_SUCCEEDED',
      'HANDOFF_COMPLETED',
    ]);
    expect(leaks).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('orders the list by the field and direction chosen, and narrows it to the handoffs retrying a step', async () => {
    const { base, gql } = await startServer({ WEBHOOK_ALLOW_HOSTS: '127.0.0.1', OUTBOUND_ALLOW_PRIVATE: '127.0.0.1' });
    await gql(REVIEWED);
    // Created in id order, so ties on the creation time (broken by id) keep the same order.
    await gql(initiate('lever_order_a', 'LEVER_REVIEWED', 'priority: LOW'));
    await gql(initiate('lever_order_b', 'LEVER_REVIEWED', 'priority: CRITICAL'));
    await gql(initiate('lever_order_c', 'LEVER_REVIEWED', 'priority: HIGH'));
    const { page, leaks, errors } = await openPage();

    await page.goto(`${base}/#/handoffs`);
    const ids = () => page.getByRole('table', { name: 'Handoffs' }).getByRole('link').allTextContents();
    await page.getByText('3 handoff(s)').waitFor();
    expect(await ids()).toEqual(['lever_order_c', 'lever_order_b', 'lever_order_a']);
    await page.getByLabel('Order by').selectOption('PRIORITY');
    await expect.poll(ids).toEqual(['lever_order_b', 'lever_order_c', 'lever_order_a']);
    await page.getByLabel('Direction').selectOption('ASC');
    await expect.poll(ids).toEqual(['lever_order_a', 'lever_order_c', 'lever_order_b']);
    await page.getByLabel('Order by').selectOption('CREATED_AT');
    await expect.poll(ids).toEqual(['lever_order_a', 'lever_order_b', 'lever_order_c']);
    // The latest change first: the one cancelled just now leads.
    await gql('mutation { cancelHandoff(input: { id: "lever_order_a" }) { userErrors { message } } }');
    await page.getByLabel('Order by').selectOption('UPDATED_AT');
    await page.getByLabel('Direction').selectOption('DESC');
    await expect.poll(async () => (await ids())[0]).toBe('lever_order_a');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // A step failing with a 503 waits out a long back-off: that handoff is retrying, the others are not.
    await gql(notifying('LEVER_BACKOFF', '{ maxAttempts: 3, initialDelayMs: 600000, maxDelayMs: 600000 }'));
    answer = 503;
    await gql(initiate('lever_backoff_1', 'LEVER_BACKOFF'));
    await page.getByText('1 new handoff: show').click();
    await expect.poll(ids).toContain('lever_backoff_1');
    await page.getByLabel('Retrying only').check();
    await expect.poll(ids).toEqual(['lever_backoff_1']);
    expect(leaks).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("cancels every handoff the list's filter matches from the bulk bar, its counts followed live", async () => {
    const { base, gql } = await startServer();
    await gql(REVIEWED);
    await gql(REVIEWED.replace('LEVER_REVIEWED', 'LEVER_OTHER'));
    for (const id of ['lever_bulk_1', 'lever_bulk_2', 'lever_bulk_3']) await gql(initiate(id, 'LEVER_REVIEWED'));
    await gql(initiate('lever_bulk_other', 'LEVER_OTHER'));
    const { page, leaks, errors } = await openPage();

    await page.goto(`${base}/#/handoffs`);
    await page.getByText('4 handoff(s)').waitFor();
    const filters = page.getByRole('form', { name: 'Filter handoffs' });
    await filters.getByLabel('Procedure').fill('LEVER_REVIEWED');
    await filters.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('3 handoff(s)').waitFor();
    await page.getByRole('button', { name: 'Cancel all matching' }).click();
    await page.getByRole('button', { name: 'Confirm: cancel every matching handoff' }).click();
    await page.getByTestId('bulk-progress').getByText('CANCEL COMPLETED: 3 of 3 done, 0 skipped, 0 refused').waitFor();
    // Each row's status follows the live feed.
    await expect.poll(() => page.getByRole('table', { name: 'Handoffs' }).getByText('CANCELLED').count()).toBe(3);

    const other = await gql('{ handoff(id: "lever_bulk_other") { status } }');
    expect(other.data.handoff.status).toBe('WAITING');
    expect(leaks).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('shows a viewer key no Retry, Pause, Resume or bulk action, and an operator key all of them', async () => {
    const operatorKey = 'operator-key-0123456789';
    const viewerKey = 'viewer-key-0123456789ab';
    const adminKey = 'admin-key-0123456789abcd';
    const { base, gql } = await startServer({
      API_KEYS: `ops:operator:${operatorKey},look:viewer:${viewerKey},root:admin:${adminKey}`,
      WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      OUTBOUND_ALLOW_PRIVATE: '127.0.0.1',
    });
    expect(
      (await gql(notifying('LEVER_NOTIFY', '{ maxAttempts: 1 }'), undefined, adminKey)).data.createProcedure.userErrors,
    ).toEqual([]);
    answer = 400;
    await gql(initiate('lever_keys_failed', 'LEVER_NOTIFY'), undefined, operatorKey);
    const { page, leaks, errors } = await openPage();

    const signIn = async (key: string, who: string) => {
      await page.getByLabel('API key').fill(key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('viewer').getByText(who).waitFor();
    };
    await page.goto(`${base}/#/handoffs/lever_keys_failed`);
    await signIn(viewerKey, 'look (viewer)');
    await page.getByTestId('event-log').locator('[data-type="HANDOFF_ROLLED_BACK"]').waitFor();
    await page.getByTestId('step-notify').getByText('HTTP_400').waitFor();
    expect(await page.getByRole('button', { name: /Retry|Pause|Resume/ }).count()).toBe(0);
    expect(await page.getByLabel('From step').count()).toBe(0);
    await page.getByRole('link', { name: 'Handoffs', exact: true }).first().click();
    await page.getByRole('link', { name: 'lever_keys_failed' }).waitFor();
    await page.getByLabel('Order by').waitFor();
    expect(await page.getByRole('button', { name: /all matching/ }).count()).toBe(0);

    await page.getByRole('button', { name: 'Forget key' }).click();
    await signIn(operatorKey, 'ops (operator)');
    await page.getByRole('button', { name: 'Cancel all matching' }).waitFor();
    await page.goto(`${base}/#/handoffs/lever_keys_failed`);
    await page.getByRole('button', { name: 'Retry' }).waitFor();
    expect(leaks).toEqual([]);
    expect(errors.filter((error) => !/401|Unauthorized/i.test(error))).toEqual([]);
  });

  it('retries every rolled-back handoff from the bulk bar once the receiver answers again, and they complete', async () => {
    const { base, gql } = await startServer({ WEBHOOK_ALLOW_HOSTS: '127.0.0.1', OUTBOUND_ALLOW_PRIVATE: '127.0.0.1' });
    await gql(notifying('LEVER_NOTIFY', '{ maxAttempts: 1 }'));
    answer = 400;
    for (const id of ['lever_bulk_retry_1', 'lever_bulk_retry_2']) await gql(initiate(id, 'LEVER_NOTIFY'));
    const { page, leaks, errors } = await openPage();

    await page.goto(`${base}/#/handoffs`);
    await page.getByRole('group', { name: 'Status' }).getByLabel('ROLLED_BACK').check();
    await page.getByText('2 handoff(s)').waitFor();
    answer = 200;
    await page.getByRole('combobox', { name: 'Bulk action' }).selectOption('RETRY');
    await page.getByRole('button', { name: 'Retry all matching' }).click();
    await page.getByRole('button', { name: 'Confirm: retry every matching handoff' }).click();
    await page.getByTestId('bulk-progress').getByText('RETRY COMPLETED: 2 of 2 done, 0 skipped, 0 refused').waitFor();
    await expect.poll(() => page.getByRole('table', { name: 'Handoffs' }).getByText('COMPLETED').count()).toBe(2);
    const stored = await gql(
      '{ a: handoff(id: "lever_bulk_retry_1") { status run } b: handoff(id: "lever_bulk_retry_2") { status run } }',
    );
    expect(stored.data).toEqual({ a: { status: 'COMPLETED', run: 2 }, b: { status: 'COMPLETED', run: 2 } });
    expect(leaks).toEqual([]);
    expect(errors).toEqual([]);
  });
});
