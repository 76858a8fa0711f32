import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { expect } from 'vitest';
import { collect, type TestServer } from './server.js';
import { ROOT } from './server-process.js';

/** The fenced blocks (```graphql and ```sh) of one `## ` section of a Markdown file, in order. */
export function sectionBlocks(
  file: string,
  heading: string,
): { lang: 'graphql' | 'sh'; source: string; name: string }[] {
  const text = fs.readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
  const start = text.indexOf(`## ${heading}`);
  if (start < 0) throw new Error(`${file} has no section "${heading}"`);
  const end = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```(graphql|sh)\n([\s\S]*?)```/g)].map((match) => ({
    lang: match[1] as 'graphql' | 'sh',
    source: match[2],
    name: /^(?:query|mutation|subscription)\s+(\w+)/m.exec(match[2])?.[1] ?? match[2].trim(),
  }));
}

function bothFeedsFinished(data: any): boolean {
  const finished = (feed: any[] | undefined) =>
    feed?.some((entry) => entry.handoffId === 'plan_review_001' && entry.type === 'HANDOFF_FINISHED') ?? false;
  return finished(data?.target?.feed) && finished(data?.source?.feed);
}

/** A worker command started as the docs say (through a shell, in its own process group). */
export function startCommand(command: string, env: Record<string, string>): { child: ChildProcess; output(): string } {
  const child = spawn(command, {
    cwd: ROOT,
    shell: true,
    detached: true,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { child, output: () => output };
}

/** Stops a command started by startCommand: its whole process group. */
export function stopCommand(child: ChildProcess | null): void {
  if (child?.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGTERM');
}

/**
 * Runs docs/agents.md's "Two agents hand off" with `worker` as the command that starts agent_2's worker:
 * every block in order (the worker where the section starts it), then checks what each side sees.
 */
export async function runTwoAgentsWalkthrough(
  server: TestServer,
  worker: string,
): Promise<{ child: ChildProcess; output(): string }> {
  let started: { child: ChildProcess; output(): string } | null = null;
  const results = new Map<string, any>();
  for (const block of sectionBlocks('docs/agents.md', 'Two agents hand off')) {
    if (block.lang === 'sh') {
      started = startCommand(worker, { HANDOFF_URL: server.url });
      continue;
    }
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
    let response = await server.gql(block.source);
    // The feeds' HANDOFF_FINISHED entries follow the handoff's final event by a moment: read again until they are there.
    while (block.name === 'ReviewResult' && !bothFeedsFinished(response.data))
      response = await server.gql(block.source);
    expect(response.errors, block.name).toBeUndefined();
    for (const payload of Object.values(response.data as Record<string, any>)) {
      if (payload && 'userErrors' in payload) expect(payload.userErrors, block.name).toEqual([]);
    }
    results.set(block.name, response.data);
  }
  expect(started, 'the section starts a worker').not.toBeNull();
  expect((results.get('FollowReview') as any[]).at(-1).handoffProgress.type).toBe('HANDOFF_COMPLETED');
  const result = results.get('ReviewResult');
  expect(result.handoff.status).toBe('COMPLETED');
  expect(result.handoff.steps[1].output).toEqual({
    reviewedBy: 'agent_2',
    results: ['scope', 'risks', 'rollout'].map((item) => ({ item, ok: true })),
    contextKeys: ['plan'],
  });
  expect(result.target.inbox.edges[0].node).toMatchObject({
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
  // The worker left the registration as the operator made it.
  const agent = (await server.gql(`{ agent(id: "agent_2") { capabilities permissions status } }`)).data.agent;
  expect(agent).toEqual({ capabilities: ['review'], permissions: ['handoff:receive'], status: 'READY' });
  return started!;
}
