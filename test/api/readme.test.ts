import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPHIQL_START } from '../../src/app.js';
import { schema } from '../../src/resolvers/index.js';
import { collect, startTestServer, type TestServer } from '../support/server.js';
import { ROOT } from '../support/server-process.js';

/** The text of one README section, up to the next `## ` heading. */
function section(heading: string): string {
  const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf(`## ${heading}`);
  if (start < 0) throw new Error(`README has no section "${heading}"`);
  return readme.slice(start, readme.indexOf('\n## ', start + 1));
}

/** The ```graphql blocks of a README section, in order. */
function graphqlBlocks(heading: string): { name: string; source: string }[] {
  return [...section(heading).matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => ({
    source: match[1],
    name: /^(?:query|mutation|subscription)\s+(\w+)/m.exec(match[1])?.[1] ?? 'anonymous',
  }));
}

const walkthroughBlocks = () => graphqlBlocks('First handoff walkthrough');

let server: TestServer;
const results = new Map<string, any>();

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

describe('README walkthrough', () => {
  it('GraphiQL opens with a query that runs as it is', async () => {
    const response = await server.gql(GRAPHIQL_START);
    expect(response.errors).toBeUndefined();
    expect(response.data.procedures.edges.map((edge: any) => edge.node.procedureId).sort()).toEqual([
      'AGENT_HANDOFF_STANDARD',
      'PHASE_TRANSITION_STANDARD',
    ]);
    const page = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(await page.text()).toContain('procedureId');
  });

  it('has its operations', () => {
    expect(walkthroughBlocks().map((b) => b.name)).toEqual([
      'RegisterAgents',
      'StartHandoff',
      'Follow',
      'Result',
      'Validate',
      'Sessions',
      'DefineProcedure',
      'StartReviewed',
      'Approve',
      'Overview',
    ]);
  });

  it('runs every block as written, in order, without errors', async () => {
    for (const block of walkthroughBlocks()) {
      if (block.source.trimStart().startsWith('subscription')) {
        const events = await collect(server.wsClient(), block.source);
        expect(
          events.flatMap((e) => e.errors ?? []),
          block.name,
        ).toEqual([]);
        results.set(
          block.name,
          events.map((e) => e.data),
        );
        continue;
      }
      if (block.name === 'Sessions') await waitForSessionOutcome();
      if (block.name === 'Approve') await waitForStatus('release_42', 'WAITING');
      const response = await server.gql(block.source);
      expect(response.errors, block.name).toBeUndefined();
      for (const payload of Object.values(response.data as Record<string, any>)) {
        if (payload && 'userErrors' in payload) expect(payload.userErrors, block.name).toEqual([]);
      }
      results.set(block.name, response.data);
    }
    const follow = results.get('Follow') as any[];
    expect(follow.at(-1).handoffProgress.type).toBe('HANDOFF_COMPLETED');
    expect(results.get('Result').handoff.status).toBe('COMPLETED');
    const session = results.get('Sessions').validationSessions.edges[0].node;
    expect(session.outcome).toBe('FAILED');
    expect(session.results.find((r: any) => r.rule.id === 'VR002').status).toBe('FAILED');
    await waitForStatus('release_42', 'COMPLETED');
  });
});

async function waitForStatus(id: string, status: string): Promise<void> {
  for (;;) {
    const response = await server.gql(`query($id: ID!) { handoff(id: $id) { status } }`, { id });
    if (response.data.handoff?.status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function waitForSessionOutcome(): Promise<void> {
  for (;;) {
    const response = await server.gql(`{ validationSessions(first: 1) { edges { node { status } } } }`);
    if (response.data.validationSessions.edges[0]?.node.status === 'COMPLETED') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('README: Two agents hand off', () => {
  let worker: ChildProcess | null = null;

  afterAll(() => {
    // The command runs through a shell: stop the worker's whole process group.
    if (worker?.pid && worker.exitCode === null) process.kill(-worker.pid, 'SIGTERM');
  });

  it('has its command and operations', () => {
    expect(
      [...section('Two agents hand off').matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1].trim()),
    ).toEqual(['npx tsx examples/agent-worker.ts --agent agent_2']);
    expect(graphqlBlocks('Two agents hand off').map((b) => b.name)).toEqual([
      'RegisterSource',
      'DefineReview',
      'StartReview',
      'FollowReview',
      'ReviewResult',
    ]);
  });

  it('runs the worker with the command as written, and every block in order', async () => {
    const [command] = [...section('Two agents hand off').matchAll(/```sh\n([\s\S]*?)```/g)].map((match) =>
      match[1].trim(),
    );
    worker = spawn(command, {
      cwd: ROOT,
      shell: true,
      detached: true,
      env: { ...process.env, HANDOFF_URL: server.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    worker.stdout!.on('data', (chunk) => (output += chunk));
    worker.stderr!.on('data', (chunk) => (output += chunk));
    const results = new Map<string, any>();
    for (const block of graphqlBlocks('Two agents hand off')) {
      if (block.source.trimStart().startsWith('subscription')) {
        const events = await collect(server.wsClient(), block.source);
        expect(
          events.flatMap((e) => e.errors ?? []),
          block.name,
        ).toEqual([]);
        results.set(
          block.name,
          events.map((e) => e.data),
        );
        continue;
      }
      const response = await server.gql(block.source);
      expect(response.errors, block.name).toBeUndefined();
      for (const payload of Object.values(response.data as Record<string, any>)) {
        if (payload && 'userErrors' in payload) expect(payload.userErrors, block.name).toEqual([]);
      }
      results.set(block.name, response.data);
    }
    expect((results.get('FollowReview') as any[]).at(-1).handoffProgress.type).toBe('HANDOFF_COMPLETED');
    const result = results.get('ReviewResult');
    expect(result.handoff.status).toBe('COMPLETED');
    expect(result.handoff.steps[1].output).toEqual({
      reviewedBy: 'agent_2',
      results: ['scope', 'risks', 'rollout'].map((item) => ({ item, ok: true })),
      contextKeys: ['plan'],
    });
    expect(result.target.inbox.edges[0].node).toEqual({
      handoffId: 'plan_review_001',
      keys: ['plan'],
      acknowledged: true,
      acknowledgedBy: 'anonymous',
    });
    expect(result.target.tasks.edges[0].node).toMatchObject({ step: 'review', status: 'COMPLETED' });
    const review = result.target.feed
      .filter((entry: any) => entry.handoffId === 'plan_review_001')
      .map((entry: any) => entry.type);
    expect(review).toEqual([
      'HANDOFF_ASSIGNED',
      'CONTEXT_DELIVERED',
      'CONTEXT_ACKNOWLEDGED',
      'TASK_OFFERED',
      'TASK_CLAIMED',
      'TASK_COMPLETED',
      'HANDOFF_FINISHED',
    ]);
    expect(
      result.source.feed.filter((entry: any) => entry.handoffId === 'plan_review_001').map((entry: any) => entry.type),
    ).toEqual(['HANDOFF_ASSIGNED', 'HANDOFF_FINISHED']);
    expect(output).toContain('completed task');
  });
});

describe('README: Operating, finding work and bulk actions', () => {
  const ours = [
    'StuckForAnHour',
    'RetryingNow',
    'GoldCustomersOfPlanners',
    'CancelGoldBacklog',
    'FollowBulk',
    'BulkOperations',
  ];

  it('has its operations, each valid against the schema', () => {
    const blocks = graphqlBlocks('Operating');
    expect(ours.concat('StopBulk').filter((name) => !blocks.some((block) => block.name === name))).toEqual([]);
    for (const block of blocks)
      expect(
        validate(schema, parse(block.source)).map((error) => error.message),
        block.name,
      ).toEqual([]);
  });

  it('runs them as written, without errors', async () => {
    const blocks = graphqlBlocks('Operating').filter((block) => ours.includes(block.name));
    let bulkOperationId: string | null = null;
    for (const block of blocks) {
      if (block.source.trimStart().startsWith('subscription')) {
        const updates = await collect(server.wsClient(), block.source, { id: bulkOperationId });
        expect(
          updates.flatMap((update) => update.errors ?? []),
          block.name,
        ).toEqual([]);
        expect(updates.at(-1)!.data.bulkOperationProgress.status, block.name).toBe('COMPLETED');
        continue;
      }
      const response = await server.gql(block.source);
      expect(response.errors, block.name).toBeUndefined();
      for (const payload of Object.values(response.data as Record<string, any>)) {
        if (payload && 'userErrors' in payload) expect(payload.userErrors, block.name).toEqual([]);
      }
      if (block.name === 'CancelGoldBacklog') bulkOperationId = response.data.startBulkOperation.bulkOperation.id;
    }
    expect(bulkOperationId).not.toBeNull();
  });
});
