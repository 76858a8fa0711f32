import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProcedure, noopCompensation, registerReadyAgents } from '../support/handoff-fixtures.js';
import { collect } from '../support/server.js';
import { waitFor } from '../support/server-process.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The operator's levers through the public API: retryHandoff (redrive), pauseHandoff/resumeHandoff,
 * deadlines, and failure codes that are not retried (with Retry-After), against a local webhook
 * receiver whose answers each test sets.
 */

let server: TestApp;
let receiver: http.Server;
let webhookUrl: string;
/** What the receiver answers next (status and headers), in order; the last one repeats. */
let answers: { status: number; headers?: Record<string, string> }[] = [{ status: 200 }];
let received = 0;

beforeAll(async () => {
  receiver = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const answer = answers.length > 1 ? answers.shift()! : answers[0];
      received++;
      response.writeHead(answer.status, answer.headers ?? {});
      response.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  server = await startTestApp({ WEBHOOK_ALLOW_HOSTS: '127.0.0.1', OUTBOUND_ALLOW_PRIVATE: '127.0.0.1' });
  await registerReadyAgents(server);
});

afterAll(async () => {
  await server.close();
  await new Promise((resolve) => receiver.close(resolve));
});

beforeEach(() => {
  answers = [{ status: 200 }];
  received = 0;
});

const HANDOFF = `query($id: ID!) { handoff(id: $id) {
  status run error errorCode cancelReason deadlineAt pausedAt pauseReason metadata lastSeq
  steps { id status attempts error errorCode retryAt output }
  events(limit: 1000) { seq run type step attempt data }
} }`;

async function read(id: string) {
  const response = await server.gql(HANDOFF, { id });
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data.handoff;
}

const until = (id: string, done: (h: any) => boolean) => waitFor(() => read(id), done);

async function mutate(name: string, input: Record<string, unknown>) {
  const inputType = `${name[0].toUpperCase()}${name.slice(1)}Input`;
  const response = await server.gql(
    `mutation($input: ${inputType}!) { ${name}(input: $input) { handoff { handoffId status run } userErrors { field code message } } }`,
    { input },
  );
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data[name] as { handoff: any; userErrors: { field: string[]; code: string; message: string }[] };
}

function webhookStep(id: string, retry: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    id,
    name: id,
    kind: 'WEBHOOK',
    params: { url: webhookUrl },
    timeoutMs: 5_000,
    retry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20, multiplier: 1, jitter: 0, ...retry },
    ...extra,
  };
}

let procedures = 0;
async function procedure(steps: Record<string, unknown>[], extra: Record<string, unknown> = {}): Promise<string> {
  const id = `LEVERS_${++procedures}`;
  const created = await createProcedure(server, { id, name: id, steps, ...extra });
  expect(created.userErrors).toEqual([]);
  return id;
}

async function start(procedureId: string, handoffId: string, extra: Record<string, unknown> = {}) {
  const result = await mutate('initiateHandoff', { handoffId, procedureId, ...extra });
  expect(result.userErrors).toEqual([]);
}

const FINAL = ['COMPLETED', 'FAILED', 'ROLLED_BACK', 'ROLLBACK_FAILED', 'CANCELLED'];
const isFinal = (h: any) => FINAL.includes(h.status);

describe('retryHandoff (redrive)', () => {
  it('runs a rolled-back handoff again under the same id, from the first undone step, with one gapless history', async () => {
    const id = await procedure([
      { id: 'reserve', name: 'reserve', kind: 'NOOP', timeoutMs: 1_000, compensation: noopCompensation('release') },
      webhookStep('notify', { maxAttempts: 2 }),
    ]);
    answers = [{ status: 503 }];
    await start(id, 'redrive_1');
    const rolledBack = await until('redrive_1', isFinal);
    expect(rolledBack.status).toBe('ROLLED_BACK');
    expect(rolledBack.steps.map((s: any) => s.status)).toEqual(['COMPENSATED', 'FAILED']);
    expect(rolledBack.steps[1]).toMatchObject({ attempts: 2, errorCode: 'HTTP_503' });
    expect(rolledBack.errorCode).toBe('HTTP_503');

    // The undone step cannot be skipped; a finished-well handoff cannot be retried.
    const skipping = await mutate('retryHandoff', { id: 'redrive_1', fromStep: 'notify' });
    expect(skipping.userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID_STATE', field: ['input', 'fromStep'] }),
    ]);
    expect((await mutate('retryHandoff', { id: 'no_such_handoff' })).userErrors[0].code).toBe('NOT_FOUND');
    expect((await mutate('pauseHandoff', { id: 'no_such_handoff' })).userErrors[0].code).toBe('NOT_FOUND');
    expect((await mutate('retryHandoff', { id: 'redrive_1', metadataPatch: [1, 2] })).userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID_VALUE', field: ['input', 'metadataPatch'] }),
    ]);
    expect(
      (await mutate('retryHandoff', { id: 'redrive_1', metadataPatch: { blob: 'x'.repeat(70_000) } })).userErrors[0]
        .code,
    ).toBe('TOO_LARGE');
    expect((await read('redrive_1')).status).toBe('ROLLED_BACK');

    // A subscriber following from the last event sees the new run to its end.
    const followed = collect(
      server.wsClient(),
      `subscription($id: ID!, $after: Int) { handoffProgress(id: $id, afterSeq: $after) { seq run type } }`,
      {
        id: 'redrive_1',
        after: rolledBack.lastSeq,
      },
    );
    answers = [{ status: 200 }];
    const retried = await mutate('retryHandoff', { id: 'redrive_1', metadataPatch: { ticket: 'T-9' }, expectedRun: 1 });
    expect(retried.userErrors).toEqual([]);
    expect(retried.handoff).toMatchObject({ handoffId: 'redrive_1', status: 'PENDING', run: 2 });

    const done = await until('redrive_1', isFinal);
    expect(done).toMatchObject({
      status: 'COMPLETED',
      run: 2,
      error: null,
      errorCode: null,
      metadata: { ticket: 'T-9' },
    });
    expect(done.steps.map((s: any) => [s.id, s.status, s.attempts])).toEqual([
      ['reserve', 'SUCCEEDED', 1],
      ['notify', 'SUCCEEDED', 1],
    ]);
    const events = done.events;
    expect(events.map((e: any) => e.seq)).toEqual(events.map((_: unknown, i: number) => i + 1));
    const redriven = events.findIndex((e: any) => e.type === 'HANDOFF_REDRIVEN');
    expect(events[redriven - 1].type).toBe('HANDOFF_ROLLED_BACK');
    expect(events.slice(0, redriven).every((e: any) => e.run === 1)).toBe(true);
    expect(events.slice(redriven).every((e: any) => e.run === 2)).toBe(true);
    expect(events[redriven]).toMatchObject({
      step: 'reserve',
      data: { run: 2, fromStep: 'reserve', previousStatus: 'ROLLED_BACK', metadataPatched: true },
    });

    const streamed = (await followed).map((r) => r.data!.handoffProgress);
    expect(streamed.map((e: any) => e.seq)).toEqual(events.slice(redriven).map((e: any) => e.seq));
    expect(streamed.at(-1)).toMatchObject({ type: 'HANDOFF_COMPLETED', run: 2 });

    expect((await mutate('retryHandoff', { id: 'redrive_1' })).userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID_STATE', field: ['input', 'id'] }),
    ]);
    // The same request again (a lost reply): the run it expected is over.
    expect((await mutate('retryHandoff', { id: 'redrive_1', expectedRun: 1 })).userErrors).toEqual([
      expect.objectContaining({ code: 'VERSION_CONFLICT', field: ['input', 'expectedRun'] }),
    ]);
  });

  it('restarts a failed handoff from the step that failed, keeping the outputs before it', async () => {
    const id = await procedure([
      { id: 'first', name: 'first', kind: 'NOOP', timeoutMs: 1_000 },
      webhookStep('second', { maxAttempts: 1 }),
    ]);
    answers = [{ status: 500 }];
    await start(id, 'redrive_2');
    const failed = await until('redrive_2', isFinal);
    expect(failed.status).toBe('FAILED');
    answers = [{ status: 200 }];
    expect((await mutate('retryHandoff', { id: 'redrive_2' })).userErrors).toEqual([]);
    const done = await until('redrive_2', isFinal);
    expect(done.status).toBe('COMPLETED');
    const starts = done.events.filter((e: any) => e.type === 'STEP_STARTED').map((e: any) => `${e.step} run ${e.run}`);
    expect(starts).toEqual(['first run 1', 'second run 1', 'second run 2']);
  });
});

describe('failure codes that are not retried', () => {
  it('fails a step at once on a webhook 400, and retries a 503 to its policy', async () => {
    const id = await procedure([webhookStep('call', { maxAttempts: 3 })]);
    answers = [{ status: 400 }];
    await start(id, 'codes_400');
    const failedAtOnce = await until('codes_400', isFinal);
    expect(received).toBe(1);
    expect(failedAtOnce.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1, errorCode: 'HTTP_400' });
    expect(failedAtOnce.events.find((e: any) => e.type === 'STEP_FAILED').data).toMatchObject({
      code: 'HTTP_400',
      retryable: false,
      httpStatus: 400,
    });

    received = 0;
    answers = [{ status: 503 }];
    await start(id, 'codes_503');
    const retried = await until('codes_503', isFinal);
    expect(received).toBe(3);
    expect(retried.steps[0]).toMatchObject({ status: 'FAILED', attempts: 3, errorCode: 'HTTP_503' });
  });

  it('retries what the policy does not list (an empty list retries a 400), and fails at once on a code it lists', async () => {
    const everything = await procedure([webhookStep('call', { maxAttempts: 2, nonRetryableCodes: [] })]);
    answers = [{ status: 400 }];
    await start(everything, 'codes_all');
    expect((await until('codes_all', isFinal)).steps[0].attempts).toBe(2);
    const strict = await procedure([webhookStep('call', { maxAttempts: 3, nonRetryableCodes: ['HTTP_503'] })]);
    answers = [{ status: 503 }];
    await start(strict, 'codes_strict');
    expect((await until('codes_strict', isFinal)).steps[0].attempts).toBe(1);
  });

  it('waits as Retry-After asks (seconds or an HTTP date), bounded by the policy maximum', async () => {
    const id = await procedure([webhookStep('call', { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 150 })]);
    answers = [{ status: 429, headers: { 'retry-after': '3600' } }, { status: 200 }];
    await start(id, 'retry_after_seconds');
    const done = await until('retry_after_seconds', isFinal);
    expect(done.status).toBe('COMPLETED');
    expect(done.events.find((e: any) => e.type === 'STEP_RETRY_SCHEDULED').data).toEqual({
      delayMs: 150,
      retryAfterMs: 3_600_000,
    });

    const soon = await procedure([webhookStep('call', { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 60_000 })]);
    answers = [
      { status: 503, headers: { 'retry-after': new Date(Date.now() - 5_000).toUTCString() } },
      { status: 200 },
    ];
    await start(soon, 'retry_after_date');
    const dated = await until('retry_after_date', isFinal);
    // A date already past asks for no wait at all, where the policy alone would have waited 1 ms.
    expect(dated.events.find((e: any) => e.type === 'STEP_RETRY_SCHEDULED').data).toEqual({
      delayMs: 0,
      retryAfterMs: 0,
    });
  });
});

describe('pauseHandoff and resumeHandoff', () => {
  const review = (id: string) => ({
    id,
    name: id,
    kind: 'AWAIT_SIGNAL',
    timeoutMs: 60_000,
    compensation: noopCompensation(`${id}_undo`),
  });

  it('lets the step in flight finish, pauses before the next one, and resumes where it stopped', async () => {
    const id = await procedure([review('review'), { id: 'ship', name: 'ship', kind: 'NOOP', timeoutMs: 1_000 }]);
    await start(id, 'pause_1');
    await until('pause_1', (h) => h.status === 'WAITING');
    const paused = await mutate('pauseHandoff', { id: 'pause_1', reason: 'downstream maintenance' });
    expect(paused.userErrors).toEqual([]);
    expect(paused.handoff.status).toBe('WAITING');
    const signalled = await server.gql(
      `mutation { signalHandoff(input: { id: "pause_1", step: "review" }) { userErrors { code } } }`,
    );
    expect(signalled.data.signalHandoff.userErrors).toEqual([]);
    const held = await until('pause_1', (h) => h.status === 'PAUSED');
    expect(held).toMatchObject({ pauseReason: 'downstream maintenance', pausedAt: expect.any(String) });
    expect(held.steps.map((s: any) => [s.status, s.attempts])).toEqual([
      ['SUCCEEDED', 1],
      ['PENDING', 0],
    ]);
    expect(held.events.at(-1)).toMatchObject({
      type: 'HANDOFF_PAUSED',
      step: 'ship',
      data: { reason: 'downstream maintenance' },
    });
    expect((await mutate('pauseHandoff', { id: 'pause_1' })).userErrors).toEqual([]);

    const metrics = await server.gql('{ metrics { handoffs { paused } } }');
    expect(metrics.data.metrics.handoffs.paused).toBeGreaterThanOrEqual(1);
    const scraped = await (await server.fetch('/metrics')).text();
    expect(scraped).toMatch(/^handoff_handoffs\{status="PAUSED"\} [1-9]/m);

    const resumed = await mutate('resumeHandoff', { id: 'pause_1' });
    expect(resumed.userErrors).toEqual([]);
    const done = await until('pause_1', isFinal);
    expect(done.status).toBe('COMPLETED');
    const trail = done.events.map((e: any) => e.type);
    expect(trail.slice(trail.indexOf('HANDOFF_PAUSED'))).toEqual([
      'HANDOFF_PAUSED',
      'HANDOFF_RESUMED',
      'STEP_STARTED',
      'STEP_SUCCEEDED',
      'HANDOFF_COMPLETED',
    ]);
    expect((await mutate('resumeHandoff', { id: 'pause_1' })).userErrors[0].code).toBe('INVALID_STATE');
    expect((await mutate('pauseHandoff', { id: 'pause_1' })).userErrors[0].code).toBe('INVALID_STATE');
  });

  it('pauses during a retry back-off, keeps the time left of it, and cancels a paused handoff with a rollback', async () => {
    const id = await procedure([
      { id: 'reserve', name: 'reserve', kind: 'NOOP', timeoutMs: 1_000, compensation: noopCompensation('release') },
      webhookStep('call', { maxAttempts: 3, initialDelayMs: 600_000, maxDelayMs: 600_000 }),
    ]);
    answers = [{ status: 503 }];
    await start(id, 'pause_2');
    const waiting = await until('pause_2', (h) => h.steps[1].retryAt !== null);
    await mutate('pauseHandoff', { id: 'pause_2' });
    const paused = await until('pause_2', (h) => h.status === 'PAUSED');
    expect(paused.steps[1].retryAt).toBe(waiting.steps[1].retryAt);
    await mutate('resumeHandoff', { id: 'pause_2' });
    // Queued again (PENDING), its step waiting out what is left of the back-off.
    const resumed = await until('pause_2', (h) => h.events.some((e: any) => e.type === 'HANDOFF_RESUMED'));
    expect(resumed.status).toBe('PENDING');
    const pausedMs = resumed.events.find((e: any) => e.type === 'HANDOFF_RESUMED').data.pausedMs;
    expect(Date.parse(resumed.steps[1].retryAt) - Date.parse(waiting.steps[1].retryAt)).toBe(pausedMs);

    await mutate('pauseHandoff', { id: 'pause_2' });
    await until('pause_2', (h) => h.status === 'PAUSED');
    const cancelled = await server.gql(
      `mutation { cancelHandoff(input: { id: "pause_2", reason: "not needed" }) { userErrors { code } } }`,
    );
    expect(cancelled.data.cancelHandoff.userErrors).toEqual([]);
    const done = await until('pause_2', isFinal);
    expect(done).toMatchObject({ status: 'CANCELLED', errorCode: 'CANCELLED' });
    expect(done.steps[0].status).toBe('COMPENSATED');
    expect(received).toBe(1);
  });
});

describe('deadlines', () => {
  it('cancels and rolls back a handoff whose deadline passes, recording DEADLINE_EXCEEDED', async () => {
    const id = await procedure(
      [
        { id: 'reserve', name: 'reserve', kind: 'NOOP', timeoutMs: 1_000, compensation: noopCompensation('release') },
        { id: 'review', name: 'review', kind: 'AWAIT_SIGNAL', timeoutMs: 600_000 },
      ],
      { deadlineMs: 600_000 },
    );
    const procedureDefault = await mutate('initiateHandoff', { handoffId: 'deadline_default', procedureId: id });
    expect(procedureDefault.userErrors).toEqual([]);
    const defaulted = await read('deadline_default');
    // The procedure's limit applies from creation when the handoff sets none.
    expect(defaulted.deadlineAt).not.toBeNull();
    await server.gql(`mutation { cancelHandoff(input: { id: "deadline_default" }) { userErrors { code } } }`);

    await start(id, 'deadline_1', { deadlineMs: 300 });
    const done = await until('deadline_1', isFinal);
    expect(done).toMatchObject({
      status: 'CANCELLED',
      errorCode: 'DEADLINE_EXCEEDED',
      cancelReason: expect.stringMatching(/^DEADLINE_EXCEEDED: /),
    });
    expect(done.steps.map((s: any) => s.status)).toEqual(['COMPENSATED', 'FAILED']);
    const bad = await mutate('initiateHandoff', { handoffId: 'deadline_bad', procedureId: id, deadlineMs: 0 });
    expect(bad.userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID_VALUE', field: ['input', 'deadlineMs'] }),
    ]);
  });
});
