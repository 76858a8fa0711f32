import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, type ServerProcess, startServerProcess, waitFor } from '../support/server-process.js';

/**
 * A graph handoff killed with SIGKILL while its branches and a sub-handoff are in flight: after a restart each
 * branch goes on where it was. What had finished does not run again, the interrupted attempt counts against its
 * step's retry policy, and the child is the same child (none started twice).
 */

const running: ServerProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await killAll(running);
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const HANDOFF = `query($id: ID!) { handoff(id: $id) {
  status
  steps { id status attempts }
  children { handoffId status }
  events(limit: 1000) { seq type step attempt }
} }`;

const step = (id: string, kind: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: id,
  kind,
  timeoutMs: 600_000,
  retry: { maxAttempts: 1 },
  ...extra,
});

type Gql = (query: string, variables?: object) => Promise<any>;

async function define(gql: Gql, input: Record<string, unknown>) {
  const created = await gql(
    `mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { userErrors { message } } }`,
    { input },
  );
  expect(created.data.createProcedure.userErrors).toEqual([]);
}

async function signal(gql: Gql, id: string, stepId: string) {
  const signalled = await gql(
    `mutation($input: SignalHandoffInput!) { signalHandoff(input: $input) { userErrors { code message } } }`,
    { input: { id, step: stepId, outcome: 'APPROVE' } },
  );
  expect(signalled.data.signalHandoff.userErrors).toEqual([]);
}

const read = (gql: Gql, id: string) => gql(HANDOFF, { id }).then((response) => response.data.handoff);
const statusOf = (handoff: any, id: string) => handoff?.steps.find((s: any) => s.id === id)?.status;
const line = (event: any) => `${event.type}${event.step ? ` ${event.step}` : ''}`;

describe('a graph handoff across a crash', () => {
  it('goes on where each branch was after SIGKILL: nothing finished runs twice, the child is not started again', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-graph-crash-'));
    dirs.push(dataDir);

    const first = await startServerProcess(dataDir, running);
    await define(first.gql, { id: 'GC_CHILD', name: 'Sign off', steps: [step('sign', 'AWAIT_SIGNAL')] });
    await define(first.gql, {
      id: 'GC_PARENT',
      name: 'Branches and a child',
      steps: [
        step('prepare', 'NOOP'),
        // Long enough to be in flight when the server is killed, whatever the machine's load.
        step('slow', 'DELAY', {
          after: ['prepare'],
          params: { ms: 5_000 },
          retry: { maxAttempts: 2, initialDelayMs: 10 },
        }),
        step('review', 'AWAIT_SIGNAL', { after: ['prepare'], forEach: { items: 'context.reviewers' } }),
        step('delegate', 'SUB_HANDOFF', { after: ['prepare'], params: { procedureId: 'GC_CHILD' } }),
        step('ship', 'NOOP', { after: ['slow', 'review', 'delegate'] }),
      ],
    });
    const initiated = await first.gql(
      `mutation { initiateHandoff(input: { handoffId: "gc_1", procedureId: "GC_PARENT", metadata: { reviewers: ["ana", "ben"] } }) { userErrors { message } } }`,
    );
    expect(initiated.data.initiateHandoff.userErrors).toEqual([]);

    await waitFor(
      () => read(first.gql, 'gc_1'),
      (h) => statusOf(h, 'review[0]') === 'WAITING' && statusOf(h, 'review[1]') === 'WAITING',
    );
    await signal(first.gql, 'gc_1', 'review[0]');
    await waitFor(
      () => read(first.gql, 'gc_1:delegate'),
      (h) => h?.status === 'WAITING',
    );
    const before = await waitFor(
      () => read(first.gql, 'gc_1'),
      (h) => statusOf(h, 'review[0]') === 'SUCCEEDED',
    );
    // The moment of the crash: one branch done, one waiting, one attempt running, a child waiting.
    expect(statusOf(before, 'slow')).toBe('RUNNING');
    expect(statusOf(before, 'delegate')).toBe('WAITING');
    first.server.child.kill('SIGKILL');
    expect((await first.server.exited).signal).toBe('SIGKILL');

    const second = await startServerProcess(dataDir, running);
    await signal(second.gql, 'gc_1', 'review[1]');
    await signal(second.gql, 'gc_1:delegate', 'sign');
    const done = await waitFor(
      () => read(second.gql, 'gc_1'),
      (h) => h.status === 'COMPLETED',
    );

    expect(done.steps.map((s: any) => [s.id, s.status])).toEqual([
      ['prepare', 'SUCCEEDED'],
      ['slow', 'SUCCEEDED'],
      ['review', 'SUCCEEDED'],
      ['delegate', 'SUCCEEDED'],
      ['ship', 'SUCCEEDED'],
      ['review[0]', 'SUCCEEDED'],
      ['review[1]', 'SUCCEEDED'],
    ]);
    const attempts = Object.fromEntries(done.steps.map((s: any) => [s.id, s.attempts]));
    // The interrupted attempt of slow counts (its policy allows 2); every other step ran once.
    expect(attempts).toMatchObject({ prepare: 1, slow: 2, delegate: 1, ship: 1, 'review[0]': 1, 'review[1]': 1 });
    const trail = done.events.map(line);
    expect(done.events.map((e: any) => e.seq)).toEqual(done.events.map((_: unknown, i: number) => i + 1));
    expect(trail.filter((t: string) => t === 'HANDOFF_INTERRUPTED slow')).toHaveLength(1);
    // An attempt starts with STEP_STARTED, or STEP_WAITING for a step that waits from the start.
    const starts = (id: string) =>
      trail.filter((t: string) => t === `STEP_STARTED ${id}` || t === `STEP_WAITING ${id}`);
    for (const finished of ['prepare', 'review[0]', 'review[1]', 'delegate']) expect(starts(finished)).toHaveLength(1);
    expect(trail.filter((t: string) => t === 'STEP_SUCCEEDED review[0]')).toHaveLength(1);
    expect(done.children).toEqual([{ handoffId: 'gc_1:delegate', status: 'COMPLETED' }]);
    const child = await read(second.gql, 'gc_1:delegate');
    expect(child.events.map(line).filter((t: string) => t === 'STEP_WAITING sign')).toHaveLength(1);
  });
});
