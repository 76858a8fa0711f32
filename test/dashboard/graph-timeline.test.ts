import { describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, screenshot } from '../support/browser.js';
import { dashboardSession } from '../support/dashboard-session.js';

/** A graph handoff's page: one lane per step, a list step's branches on its lane, sub-handoffs linked. */

const DEFINE = `mutation {
  child: createProcedure(input: {
    id: "DASH_SIGN_OFF" name: "Sign off"
    steps: [{ id: "sign", name: "Sign", kind: AWAIT_SIGNAL, timeoutMs: 3600000 }]
  }) { userErrors { message } }
  parent: createProcedure(input: {
    id: "DASH_GRAPH" name: "Graph"
    steps: [
      { id: "build", name: "Build", kind: NOOP, timeoutMs: 5000 }
      { id: "review", name: "Review", kind: SIMULATE, params: { durationMs: 30 }, timeoutMs: 5000,
        after: ["build"], forEach: { items: "context.reviewers" } }
      { id: "delegate", name: "Delegate", kind: SUB_HANDOFF, params: { procedureId: "DASH_SIGN_OFF" },
        timeoutMs: 3600000, after: ["build"] }
    ]
  }) { userErrors { message } }
}`;

describe.skipIf(!HAVE_CHROMIUM)('the timeline of a graph handoff', () => {
  const { startServer, openPage } = dashboardSession();

  it('draws a lane per step, the branches of a list step on its lane, and links the sub-handoff', async () => {
    const { base, gql } = await startServer();
    const defined = await gql(DEFINE);
    expect([defined.data.child.userErrors, defined.data.parent.userErrors]).toEqual([[], []]);
    await gql(
      'mutation { initiateHandoff(input: { handoffId: "dash_graph_1", procedureId: "DASH_GRAPH", metadata: { reviewers: ["ana", "ben"] } }) { userErrors { message } } }',
    );
    const { page, leaks, errors } = await openPage();
    await page.goto(`${base}/#/handoffs/dash_graph_1`);
    const timeline = page.getByTestId('timeline');
    await timeline.getByText('review: 2 branch(es) at once').waitFor();
    await timeline.getByText(/^review\[1\], attempt 1: succeeded/).waitFor();
    await timeline.getByText(/^delegate, attempt 1: waiting/).waitFor();
    await screenshot(page, 'graph-timeline');
    await timeline.getByRole('link', { name: 'dash_graph_1:delegate' }).click();
    await expect.poll(() => page.url()).toContain('#/handoffs/dash_graph_1%3Adelegate');
    await page
      .getByTestId('timeline')
      .getByText(/^sign, attempt 1: waiting/)
      .waitFor();
    expect(leaks).toEqual([]);
    expect(errors).toEqual([]);
  });
});
