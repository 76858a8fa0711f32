import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, type ServerProcess, startServerProcess, waitFor } from '../support/server-process.js';

/** A pause and a deadline are stored state: real server processes, killed with SIGKILL and started again. */

const running: ServerProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await killAll(running);
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-levers-'));
  dirs.push(dir);
  return dir;
}

const start = (dir: string) => startServerProcess(dir, running);

const HANDOFF = `query($id: ID!) { handoff(id: $id) { status errorCode cancelReason steps { id status attempts } events(limit: 1000) { seq type step } } }`;

async function kill(server: ServerProcess): Promise<void> {
  server.child.kill('SIGKILL');
  expect((await server.exited).signal).toBe('SIGKILL');
}

async function defineReviewProcedure(gql: (query: string, variables?: object) => Promise<any>): Promise<void> {
  const created = await gql(
    `mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { userErrors { message } } }`,
    {
      input: {
        id: 'REVIEWED',
        name: 'Reserve, review, ship',
        steps: [
          {
            id: 'reserve',
            name: 'reserve',
            kind: 'NOOP',
            timeoutMs: 1_000,
            compensation: { id: 'release', name: 'release', kind: 'NOOP', timeoutMs: 1_000 },
          },
          { id: 'review', name: 'review', kind: 'AWAIT_SIGNAL', timeoutMs: 600_000 },
          { id: 'ship', name: 'ship', kind: 'NOOP', timeoutMs: 1_000 },
        ],
      },
    },
  );
  expect(created.data.createProcedure.userErrors).toEqual([]);
}

describe('levers across restarts', () => {
  it('a paused handoff survives a SIGKILL and a restart still paused, and resumes there', async () => {
    const dir = dataDir();
    const first = await start(dir);
    await defineReviewProcedure(first.gql);
    await first.gql(
      `mutation { initiateHandoff(input: { handoffId: "paused_1", procedureId: "REVIEWED" }) { userErrors { message } } }`,
    );
    await waitFor(
      () => first.gql(HANDOFF, { id: 'paused_1' }),
      (r) => r.data.handoff.status === 'WAITING',
    );
    await first.gql(`mutation { pauseHandoff(input: { id: "paused_1", reason: "hold" }) { userErrors { code } } }`);
    await first.gql(`mutation { signalHandoff(input: { id: "paused_1", step: "review" }) { userErrors { code } } }`);
    await waitFor(
      () => first.gql(HANDOFF, { id: 'paused_1' }),
      (r) => r.data.handoff.status === 'PAUSED',
    );
    await kill(first.server);

    const second = await start(dir);
    // A handoff started after the restart completes: the runner is up, and still leaves the paused one alone.
    await second.gql(
      `mutation { initiateHandoff(input: { handoffId: "after_restart", procedureId: "REVIEWED" }) { userErrors { message } } }`,
    );
    await waitFor(
      () => second.gql(HANDOFF, { id: 'after_restart' }),
      (r) => r.data.handoff.status === 'WAITING',
    );
    const still = await second.gql(HANDOFF, { id: 'paused_1' });
    expect(still.data.handoff.status).toBe('PAUSED');
    expect(still.data.handoff.steps.map((s: any) => s.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'PENDING']);
    expect(still.data.handoff.events.map((e: any) => e.type)).not.toContain('HANDOFF_INTERRUPTED');

    const resumed = await second.gql(`mutation { resumeHandoff(input: { id: "paused_1" }) { userErrors { code } } }`);
    expect(resumed.data.resumeHandoff.userErrors).toEqual([]);
    const done = await waitFor(
      () => second.gql(HANDOFF, { id: 'paused_1' }),
      (r) => r.data.handoff.status === 'COMPLETED',
    );
    const events = done.data.handoff.events;
    expect(events.map((e: any) => e.seq)).toEqual(events.map((_: unknown, i: number) => i + 1));
  });

  it('a deadline that passes while the server is down fires after the restart: cancelled and rolled back', async () => {
    const dir = dataDir();
    const first = await start(dir);
    await defineReviewProcedure(first.gql);
    const initiated = await first.gql(
      `mutation { initiateHandoff(input: { handoffId: "late_1", procedureId: "REVIEWED", deadlineMs: 1500 }) { handoff { deadlineAt } userErrors { message } } }`,
    );
    expect(initiated.data.initiateHandoff.userErrors).toEqual([]);
    const deadlineAt = Date.parse(initiated.data.initiateHandoff.handoff.deadlineAt);
    await waitFor(
      () => first.gql(HANDOFF, { id: 'late_1' }),
      (r) => r.data.handoff.status === 'WAITING',
    );
    await kill(first.server);
    // Down until the deadline has passed (waiting for a moment, not for a speed).
    await waitFor(
      async () => Date.now(),
      (now) => now > deadlineAt + 100,
    );

    const second = await start(dir);
    const done = await waitFor(
      () => second.gql(HANDOFF, { id: 'late_1' }),
      (r) => r.data.handoff.status === 'CANCELLED',
    );
    expect(done.data.handoff).toMatchObject({
      errorCode: 'DEADLINE_EXCEEDED',
      cancelReason: expect.stringMatching(/^DEADLINE_EXCEEDED/),
    });
    expect(done.data.handoff.steps.map((s: any) => s.status)).toEqual(['COMPENSATED', 'FAILED', 'PENDING']);
  });

  it('two processes on one store: a pause and a resume asked of one reach the handoff the other runs; a redrive there is seen here', async () => {
    const dir = dataDir();
    const a = await start(dir);
    await defineReviewProcedure(a.gql);
    const b = await start(dir);
    await a.gql(
      `mutation { initiateHandoff(input: { handoffId: "shared_1", procedureId: "REVIEWED" }) { userErrors { message } } }`,
    );
    await waitFor(
      () => b.gql(HANDOFF, { id: 'shared_1' }),
      (r) => r.data.handoff.status === 'WAITING',
    );
    expect(
      (await b.gql(`mutation { pauseHandoff(input: { id: "shared_1" }) { userErrors { code } } }`)).data.pauseHandoff
        .userErrors,
    ).toEqual([]);
    await b.gql(`mutation { signalHandoff(input: { id: "shared_1", step: "review" }) { userErrors { code } } }`);
    await waitFor(
      () => a.gql(HANDOFF, { id: 'shared_1' }),
      (r) => r.data.handoff.status === 'PAUSED',
    );
    expect(
      (await b.gql(`mutation { resumeHandoff(input: { id: "shared_1" }) { userErrors { code } } }`)).data.resumeHandoff
        .userErrors,
    ).toEqual([]);
    await waitFor(
      () => a.gql(HANDOFF, { id: 'shared_1' }),
      (r) => r.data.handoff.status === 'COMPLETED',
    );

    // Rejected on A: rolled back, read (and cached as finished) on A, redriven on B, then read on A again.
    await a.gql(
      `mutation { initiateHandoff(input: { handoffId: "shared_2", procedureId: "REVIEWED" }) { userErrors { message } } }`,
    );
    await waitFor(
      () => a.gql(HANDOFF, { id: 'shared_2' }),
      (r) => r.data.handoff.status === 'WAITING',
    );
    await a.gql(
      `mutation { signalHandoff(input: { id: "shared_2", step: "review", outcome: REJECT, reason: "not yet" }) { userErrors { code } } }`,
    );
    await waitFor(
      () => a.gql(HANDOFF, { id: 'shared_2' }),
      (r) => r.data.handoff.status === 'ROLLED_BACK',
    );
    const retried = await b.gql(
      `mutation { retryHandoff(input: { id: "shared_2" }) { handoff { run } userErrors { code message } } }`,
    );
    expect(retried.data.retryHandoff).toEqual({ handoff: { run: 2 }, userErrors: [] });
    // Run 2 waits for a new decision at the restart point (the first run's rejection decided that run only).
    const waiting = await waitFor(
      () => a.gql(HANDOFF, { id: 'shared_2' }),
      (r) => r.data.handoff.status === 'WAITING',
    );
    expect(waiting.data.handoff.steps.map((s: any) => s.status)).toEqual(['SUCCEEDED', 'WAITING', 'PENDING']);
    expect(waiting.data.handoff.events.at(-1).type).toBe('STEP_WAITING');
    await b.gql(`mutation { signalHandoff(input: { id: "shared_2", step: "review" }) { userErrors { code } } }`);
    await waitFor(
      () => a.gql(HANDOFF, { id: 'shared_2' }),
      (r) => r.data.handoff.status === 'COMPLETED',
    );
  });
});
