import { afterEach, describe, expect, it } from 'vitest';
import { createProcedure, quickStep } from '../support/handoff-fixtures.js';
import { ManualClock } from '../support/manual-clock.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Insight over GraphQL: stored series over a range, a running handoff's ETA and slow flag, and each
 * step's timeout and retry advice with its evidence, applied by an operator as a new version.
 */
const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function serve(env: Record<string, string> = {}, clock?: ManualClock): Promise<TestServer> {
  const server = await startTestServer({ INSIGHT_POLL_MS: '50', ...env }, { clock });
  servers.push(server);
  return server;
}

async function startMany(server: TestServer, procedureId: string, ids: string[]): Promise<void> {
  // Fifteen a request: graphql-armor's alias limit.
  for (let i = 0; i < ids.length; i += 15) {
    const starts = ids
      .slice(i, i + 15)
      .map(
        (id, n) =>
          `h${n}: initiateHandoff(input: { handoffId: "${id}", procedureId: "${procedureId}" }) { userErrors { message } }`,
      );
    const response = await server.gql(`mutation { ${starts.join(' ')} }`);
    expect(response.errors).toBeUndefined();
  }
}

const COMPLETED = `query($procedureId: [ID!]) { handoffs(first: 1, filter: { procedureId: $procedureId, status: [COMPLETED] }) { totalCount } }`;
const FINISHED = `query($procedureId: [ID!]) { handoffs(first: 1, filter: { procedureId: $procedureId, status: [COMPLETED, FAILED, ROLLED_BACK, ROLLBACK_FAILED, CANCELLED] }) { totalCount } }`;

/** Reads a stored state again (every 100 ms, leaving the server to its work) until `done` holds. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const ADVICE = `query($id: ID!) { procedureAdvice(procedureId: $id) {
  procedureId version timeoutMinSamples retryMinSamples
  steps { stepId currentTimeoutMs currentMaxAttempts pending
    statistics { attempts successes failures timeouts retries retrySuccesses failureCodes }
    durations { count p50 p999 max }
    timeout { recommendedMs observedP999Ms estimatedP999Ms method marginFactor successesWithin wouldHaveSucceeded explanation }
    retry { recommendedMaxAttempts recommendedInitialDelayMs firstFailureRate retrySuccessRate byDelay { band retries successes } explanation } } } }`;

describe('insight over the API', () => {
  it('gives timeout and retry advice with its numbers once a step has enough samples, and an operator applies it as a new version', async () => {
    const server = await serve();
    const created = await createProcedure(server, {
      id: 'FLAKY_FAST',
      name: 'Flaky but fast',
      steps: [
        quickStep(
          'work',
          'SIMULATE',
          { durationMs: 1, failureProbability: 0.2 },
          {
            timeoutMs: 30_000,
            retry: { maxAttempts: 5, initialDelayMs: 1, maxDelayMs: 1, multiplier: 1, jitter: 0 },
          },
        ),
        quickStep('done', 'NOOP', {}),
      ],
    });
    expect(created.userErrors).toEqual([]);
    const early = await server.gql(ADVICE, { id: 'FLAKY_FAST' });
    expect(early.data.procedureAdvice.steps[0]).toMatchObject({
      timeout: null,
      retry: null,
      pending: ['timeout advice after 1000 successful attempts (0 so far)', 'retry advice after 30 retries (0 so far)'],
    });

    const from = new Date().toISOString();
    const ids = Array.from({ length: 1_050 }, (_, i) => `fast_${i}`);
    await startMany(server, 'FLAKY_FAST', ids);
    await until(
      () => server.gql(FINISHED, { procedureId: ['FLAKY_FAST'] }),
      (r) => r.data.handoffs.totalCount === ids.length,
    );
    // Each completed handoff had exactly one successful `work` attempt. A handoff may fail all five attempts
    // (0.2^5 each: about one run in three has one among 1,050), so that is what the fold must have counted.
    const completed = await server.gql(COMPLETED, { procedureId: ['FLAKY_FAST'] });
    const successes: number = completed.data.handoffs.totalCount;
    expect(successes).toBeGreaterThanOrEqual(1_040);
    const advice = await until(
      () => server.gql(ADVICE, { id: 'FLAKY_FAST' }),
      (r) => r.data.procedureAdvice.steps[0].statistics?.successes >= successes,
    );
    const work = advice.data.procedureAdvice.steps[0];
    expect(advice.data.procedureAdvice).toMatchObject({ version: 1, timeoutMinSamples: 1000, retryMinSamples: 30 });
    expect(work.pending).toEqual([]);
    expect(work.statistics.successes).toBe(successes);
    expect(work.statistics.failureCodes.SIMULATED).toBe(work.statistics.failures);
    // Nothing timed out: the measured p99.9 × 1.25, rounded up to 10 ms, at least 100 ms.
    const expected = Math.max(100, Math.ceil((work.timeout.observedP999Ms * 1.25) / 10) * 10);
    expect(work.timeout).toMatchObject({ recommendedMs: expected, method: 'OBSERVED', marginFactor: 1.25 });
    expect(work.timeout.estimatedP999Ms).toBe(work.timeout.observedP999Ms);
    // At least the 99.9% below the p99.9 finish within it; a rare outlier beyond the margin may not.
    expect(work.timeout.successesWithin).toBeGreaterThanOrEqual(Math.floor(work.statistics.successes * 0.999));
    expect(work.timeout.successesWithin).toBeLessThanOrEqual(work.statistics.successes);
    expect(work.timeout.explanation).toContain('no attempt timed out');
    // About 20% of attempts fail and retries succeed about 80% of the time: 6 attempts keep failures under 0.1%.
    expect(work.retry.firstFailureRate).toBeGreaterThan(0.1);
    expect(work.retry.retrySuccessRate).toBeGreaterThan(0.6);
    expect(work.retry.recommendedMaxAttempts).toBeGreaterThanOrEqual(4);
    expect(work.retry.byDelay).toEqual([
      { band: '<100ms', retries: work.statistics.retries, successes: work.statistics.retrySuccesses },
    ]);

    const series = await server.gql(
      `query($from: DateTime!) { insightSeries(from: $from, procedureId: "FLAKY_FAST") { resolution points { at } total { counts { created completed stepAttempts stepFailures } successRate duration { count } } } }`,
      { from },
    );
    expect(series.errors).toBeUndefined();
    const total = series.data.insightSeries.total;
    expect(total.counts).toMatchObject({ created: 1_050, completed: total.duration.count });
    expect(total.counts.stepAttempts - total.counts.stepFailures).toBe(2 * total.counts.completed);

    const stale = await server.gql(
      `mutation { applyProcedureAdvice(input: { procedureId: "FLAKY_FAST", expectedVersion: 7 }) { procedure { version } userErrors { code field } } }`,
    );
    expect(stale.data.applyProcedureAdvice).toEqual({
      procedure: null,
      userErrors: [{ code: 'VERSION_CONFLICT', field: ['input', 'expectedVersion'] }],
    });
    const applied = await server.gql(
      `mutation { applyProcedureAdvice(input: { procedureId: "FLAKY_FAST", expectedVersion: 1, stepIds: ["work"] }) {
        procedure { version steps { id timeoutMs retry { maxAttempts initialDelayMs } } } userErrors { code } } }`,
    );
    expect(applied.data.applyProcedureAdvice.userErrors).toEqual([]);
    expect(applied.data.applyProcedureAdvice.procedure).toEqual({
      version: 2,
      steps: [
        {
          id: 'work',
          timeoutMs: work.timeout.recommendedMs,
          retry: {
            maxAttempts: work.retry.recommendedMaxAttempts,
            initialDelayMs: work.retry.recommendedInitialDelayMs,
          },
        },
        { id: 'done', timeoutMs: 2_000, retry: expect.anything() },
      ],
    });
    // The new version starts learning from nothing.
    const fresh = await server.gql(ADVICE, { id: 'FLAKY_FAST' });
    expect(fresh.data.procedureAdvice).toMatchObject({ version: 2, steps: [{ statistics: null, timeout: null }, {}] });
    // 1,050 handoffs: what the advice's stated threshold takes, on a machine that may be busy.
  }, 300_000);

  it('advises a timeout above the observed p99.9 of a step that times out now and then, and says how many attempts it would have let succeed', async () => {
    const server = await serve();
    const created = await createProcedure(server, {
      id: 'SOMETIMES_SLOW',
      name: 'A 200 ms call under a 250 ms timeout',
      steps: [
        quickStep(
          'call',
          'SIMULATE',
          { durationMs: 200, durationJitterMs: 30 },
          {
            timeoutMs: 250,
            retry: { maxAttempts: 4, initialDelayMs: 1, maxDelayMs: 1, multiplier: 1, jitter: 0 },
          },
        ),
      ],
    });
    expect(created.userErrors).toEqual([]);
    const ids = Array.from({ length: 1_050 }, (_, i) => `sometimes_${i}`);
    await startMany(server, 'SOMETIMES_SLOW', ids);
    await until(
      () => server.gql(FINISHED, { procedureId: ['SOMETIMES_SLOW'] }),
      (r) => r.data.handoffs.totalCount === ids.length,
    );
    const advice = await until(
      () => server.gql(ADVICE, { id: 'SOMETIMES_SLOW' }),
      (r) =>
        r.data.procedureAdvice.steps[0].statistics?.attempts >= ids.length && r.data.procedureAdvice.steps[0].timeout,
    );
    const call = advice.data.procedureAdvice.steps[0];
    // About 5% of attempts run past 250 ms (more on a busy machine): their length is known only to exceed it.
    expect(call.statistics.timeouts).toBeGreaterThan(0);
    expect(call.statistics.failures).toBe(call.statistics.timeouts);
    expect(call.timeout.method).toBe('CENSORED_FIT');
    // The recommendation starts from the larger of the measured p99.9 and the fitted one, with a 25% margin.
    expect(call.timeout.recommendedMs).toBeGreaterThan(call.timeout.observedP999Ms);
    expect(call.timeout.recommendedMs).toBeGreaterThan(call.currentTimeoutMs);
    // At least the 99.9% of successful attempts below the p99.9 finish within it; by the fit, some that timed out would have.
    expect(call.timeout.successesWithin).toBeGreaterThanOrEqual(Math.floor(call.statistics.successes * 0.999));
    expect(call.timeout.successesWithin).toBeLessThanOrEqual(call.statistics.successes);
    const recovered = call.timeout.wouldHaveSucceeded - call.timeout.successesWithin;
    expect(recovered).toBeGreaterThan(0);
    expect(recovered).toBeLessThanOrEqual(call.statistics.timeouts);
    expect(call.timeout.explanation).toContain(
      `about ${recovered} of the ${call.statistics.timeouts} that timed out would have finished too`,
    );
    // 1,050 handoffs of 200 ms: what the advice's stated threshold takes, on a machine that may be busy.
  }, 300_000);

  it("estimates a running handoff's time left from those that completed before it, and flags it once it is slower than their p99", async () => {
    const clock = new ManualClock();
    const server = await serve({}, clock);
    const created = await createProcedure(server, {
      id: 'REVIEWED',
      name: 'Reviewed',
      steps: [
        quickStep('review', 'AWAIT_SIGNAL', {}, { timeoutMs: 3_600_000 }),
        quickStep('ship', 'SIMULATE', { durationMs: 100 }),
      ],
    });
    expect(created.userErrors).toEqual([]);
    const done = Array.from({ length: 20 }, (_, i) => `rev_${i}`);
    await startMany(server, 'REVIEWED', done);
    await clock.advance(1_000);
    for (const id of done)
      await server.gql(`mutation { signalHandoff(input: { id: "${id}", step: "review" }) { userErrors { message } } }`);
    await clock.runUntil(
      async () => (await server.gql(FINISHED, { procedureId: ['REVIEWED'] })).data.handoffs.totalCount === 20,
      50,
    );
    await server.app.engine.insightFold!.catchUp();

    await startMany(server, 'REVIEWED', ['rev_now']);
    await clock.advance(400);
    const ETA = `{ handoff(id: "rev_now") { status slow eta { medianMs p90Ms fromStep elapsedMs samples slow expectedAt } } }`;
    const running = (await server.gql(ETA)).data.handoff;
    // The others took 1,000 ms of review and 100 ms to ship: about 700 ms left after 400.
    expect(running).toMatchObject({
      status: 'WAITING',
      slow: false,
      eta: { fromStep: 'review', samples: 20, slow: false },
    });
    expect(running.eta.elapsedMs).toBeGreaterThanOrEqual(400);
    expect(running.eta.medianMs).toBeGreaterThan(600);
    expect(running.eta.medianMs).toBeLessThan(800);
    expect(running.eta.p90Ms).toBeGreaterThanOrEqual(running.eta.medianMs);
    expect(Date.parse(running.eta.expectedAt)).toBe(clock.now() + running.eta.medianMs);

    await clock.advance(5_000);
    const late = (await server.gql(ETA)).data.handoff;
    expect(late).toMatchObject({ slow: true, eta: { slow: true, medianMs: null, p90Ms: null } });
    const finished = (await server.gql('{ handoff(id: "rev_0") { eta { medianMs } slow } }')).data.handoff;
    expect(finished).toEqual({ eta: null, slow: false });
  });

  it('refuses a series of more points than it serves, and answers from a fresh store with zeros', async () => {
    const server = await serve();
    const wide = await server.gql(`{ insightSeries(from: "2020-01-01T00:00:00Z", resolution: MINUTE) { from } }`);
    expect(wide.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(wide.errors?.[0].message).toMatch(/at most 2000/);
    const hour = new Date(Date.now() - 3_600_000).toISOString();
    const empty = await server.gql(
      `query($from: DateTime!) { insightSeries(from: $from) { points { counts { created } successRate } total { successRate } } insightStatus { enabled } }`,
      { from: hour },
    );
    expect(empty.data.insightStatus.enabled).toBe(true);
    expect(empty.data.insightSeries.points.length).toBeGreaterThanOrEqual(60);
    expect(empty.data.insightSeries.points.every((p: any) => p.counts.created === 0 && p.successRate === null)).toBe(
      true,
    );
    expect(empty.data.insightSeries.total.successRate).toBeNull();
  });
});
