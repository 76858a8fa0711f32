import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { type SdkPeer, startSdkPeer } from '../support/a2a-sdk-peer.js';
import { killAll, type ServerProcess, startServerProcess, waitFor } from '../support/server-process.js';

const running: ServerProcess[] = [];
const dirs: string[] = [];
let peer: SdkPeer | null = null;

afterEach(async () => {
  await killAll(running);
  await peer?.close();
  peer = null;
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const ENV = { WEBHOOK_ALLOW_HOSTS: '127.0.0.1', OUTBOUND_ALLOW_PRIVATE: '127.0.0.1', A2A_POLL_MAX_MS: '200' };

let lastRead: unknown = null;
const HANDOFF = `query { handoff(id: "a2a_crash_1") { status steps { id status attempts output }
  openAgentTasks { taskId attempt waitingForAnswer question { seq text } progress } } }`;

describe('crash recovery of A2A tasks', () => {
  it('after SIGKILL, the restarted server follows the same A2A task: the agent makes exactly one', async () => {
    const agent = await startSdkPeer({ streaming: true });
    peer = agent;
    // A run that hangs says where: each server's log, the handoff as last read, and what the agent saw
    // (afterEach has emptied `running` by then: the test keeps its own list).
    const servers: ServerProcess[] = [];
    onTestFailed(() => {
      for (const [index, server] of servers.entries())
        console.error(
          `server ${index + 1} log:\n${server.stdout().split('\n').slice(-60).join('\n')}${server.stderr()}`,
        );
      console.error('last read:', JSON.stringify(lastRead));
      console.error('agent:', JSON.stringify({ created: agent.created, received: agent.received }));
    });
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-a2a-crash-'));
    dirs.push(dataDir);

    const first = await startServerProcess(dataDir, running, ENV);
    servers.push(first.server);
    const registered = await first.gql(
      `mutation($url: String!) { registerA2AAgent(input: { cardUrl: $url, agentId: "reviewer" }) { userErrors { message } } }`,
      { url: agent.cardUrl },
    );
    expect(registered.data.registerA2AAgent.userErrors).toEqual([]);
    const created = await first.gql(
      `mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { userErrors { message } } }`,
      {
        input: {
          id: 'A2A_CRASHABLE',
          name: 'A review by an A2A agent',
          steps: [
            {
              id: 'review',
              name: 'Review',
              kind: 'AGENT_TASK',
              params: { agentId: 'reviewer', input: { change: 'PR-11' } },
              timeoutMs: 120_000,
              retry: { maxAttempts: 2, initialDelayMs: 10 },
            },
          ],
        },
      },
    );
    expect(created.data.createProcedure.userErrors).toEqual([]);
    const started = await first.gql(
      `mutation { initiateHandoff(input: { handoffId: "a2a_crash_1", procedureId: "A2A_CRASHABLE" }) { userErrors { message } } }`,
    );
    expect(started.data.initiateHandoff.userErrors).toEqual([]);

    // Mid-task: the agent made its task and waits for an answer.
    const asking = await waitFor(
      async () => (lastRead = await first.gql(HANDOFF)),
      (r) => r.data.handoff.openAgentTasks[0]?.waitingForAnswer === true,
    );
    const remoteId = asking.data.handoff.openAgentTasks[0].progress.a2a.taskId;
    expect(agent.created).toEqual([remoteId]);

    first.server.child.kill('SIGKILL');
    expect((await first.server.exited).signal).toBe('SIGKILL');

    const second = await startServerProcess(dataDir, running, ENV);
    servers.push(second.server);
    // The step goes on waiting for the same task (its wait was stored); the bridge of the new process
    // takes the claim over (the old process is gone) and follows the same A2A task, asking nothing twice.
    const resumed = await waitFor(
      async () => (lastRead = await second.gql(HANDOFF)),
      (r) =>
        r.data.handoff.openAgentTasks[0]?.progress?.a2a?.owner !==
        asking.data.handoff.openAgentTasks[0].progress.a2a.owner,
    );
    expect(resumed.data.handoff.openAgentTasks[0]).toMatchObject({
      taskId: asking.data.handoff.openAgentTasks[0].taskId,
      attempt: 1,
      waitingForAnswer: true,
      question: { seq: 1, text: 'Which priority should this get?' },
      progress: { a2a: { taskId: remoteId, state: 'input-required' } },
    });

    const answered = await second.gql(
      `mutation { signalHandoff(input: { id: "a2a_crash_1", step: "review", payload: "low" }) { userErrors { message } } }`,
    );
    expect(answered.data.signalHandoff.userErrors).toEqual([]);
    const done = await waitFor(
      async () => (lastRead = await second.gql(HANDOFF)),
      (r) => r.data.handoff.status === 'COMPLETED' || r.data.handoff.status === 'FAILED',
    );
    expect(done.data.handoff.steps[0]).toMatchObject({
      status: 'SUCCEEDED',
      attempts: 1,
      output: { a2a: { taskId: remoteId }, data: { verdict: 'approved', priority: 'low' } },
    });
    // Exactly one A2A task for the work, answered on that task.
    expect(agent.created).toEqual([remoteId]);
    expect(agent.received.at(-1)).toMatchObject({ taskId: remoteId, parts: [{ text: 'low' }] });
  });
});
