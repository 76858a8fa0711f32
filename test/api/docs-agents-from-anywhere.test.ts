import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SdkPeer, startSdkPeer } from '../support/a2a-sdk-peer.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ROOT, waitFor } from '../support/server-process.js';

const PAGE = new URL('../../docs/agents-from-anywhere.md', import.meta.url);

interface Block {
  kind: 'sh' | 'graphql';
  source: string;
  name: string;
}

/** The page's ```sh and ```graphql blocks, in order. */
function blocks(): Block[] {
  const page = fs.readFileSync(PAGE, 'utf8');
  return [...page.matchAll(/```(sh|graphql)\n([\s\S]*?)```/g)].map((match) => ({
    kind: match[1] as Block['kind'],
    source: match[2]!,
    name: /^(?:query|mutation)\s+(\w+)/m.exec(match[2]!)?.[1] ?? match[2]!.split('\n')[0]!.slice(0, 60),
  }));
}

/** Blocks that start something long-running: this test starts the agent and the server itself. */
const startsService = (block: Block) => /npm start|examples\/a2a-reviewer-agent\.ts/.test(block.source);

let server: TestServer;
let peer: SdkPeer;

/** The page's addresses, pointed at the agent and the server this test started. */
const here = (text: string) =>
  text.replaceAll('http://127.0.0.1:41241', peer.origin).replaceAll('http://localhost:4000', server.origin);

function shell(script: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', here(script)], {
      cwd: ROOT,
      env: { ...process.env, HANDOFF_ORIGIN: server.origin },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** The JSON objects a curl block printed, one after the other: whole bodies (not always newline-ended), and the `data:` lines of an event stream. */
function documents(output: string): any[] {
  const found: any[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let at = 0; at < output.length; at++) {
    const char = output[at];
    if (inString) {
      if (char === '\\') at++;
      else if (char === '"') inString = false;
    } else if (char === '"' && depth > 0) inString = true;
    else if (char === '{') {
      if (depth === 0) start = at;
      depth++;
    } else if (char === '}' && depth > 0 && --depth === 0) found.push(JSON.parse(output.slice(start, at + 1)));
  }
  return found;
}

/** Every `userErrors` list in a GraphQL answer. */
function userErrors(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(userErrors);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === 'userErrors' ? (inner as unknown[]) : userErrors(inner),
  );
}

beforeAll(async () => {
  peer = await startSdkPeer();
  server = await startTestServer({ WEBHOOK_ALLOW_HOSTS: '127.0.0.1' });
});

afterAll(async () => {
  await server?.close();
  await peer?.close();
});

describe('docs/agents-from-anywhere.md', () => {
  it('has the two A2A sections', () => {
    const page = fs.readFileSync(PAGE, 'utf8');
    expect(page).toContain('\n## A2A agents as handoff targets\n');
    expect(page).toContain('\n## Handoff as an A2A agent\n');
    expect(blocks().filter(startsService)).toHaveLength(2);
  });

  it('runs every block as written, in order', { timeout: 180_000 }, async () => {
    const outputs: Record<string, unknown> = {};
    const texts: string[] = [];
    for (const block of blocks()) {
      if (startsService(block)) continue;
      if (block.kind === 'graphql') {
        const run = () => server.gql(here(block.source));
        const answer =
          block.name === 'Question'
            ? await waitFor(run, (r) => r.data?.handoff?.openAgentTasks?.[0]?.waitingForAnswer === true)
            : block.name === 'Result'
              ? await waitFor(run, (r) => ['COMPLETED', 'FAILED'].includes(r.data?.handoff?.status))
              : await run();
        expect(answer.errors, block.name).toBeUndefined();
        expect(userErrors(answer.data), block.name).toEqual([]);
        outputs[block.name] = answer.data;
        continue;
      }
      const { code, output } = await shell(block.source);
      expect(code, `${block.name}\n${output}`).toBe(0);
      texts.push(output);
      if (block.source.includes('examples/a2a-client.ts')) {
        expect(output).toContain('ended TASK_STATE_COMPLETED');
        continue;
      }
      const docs = documents(output);
      expect(docs.length, block.name).toBeGreaterThan(0);
      for (const doc of docs) expect(doc.error, `${block.name}: ${JSON.stringify(doc)}`).toBeUndefined();
    }

    // What the blocks did, as the page says.
    expect(outputs.Result).toMatchObject({
      handoff: {
        status: 'COMPLETED',
        steps: [{ id: 'review', status: 'SUCCEEDED', output: { data: { verdict: 'approved', priority: 'high' } } }],
      },
    });
    const card = documents(texts.find((text) => text.includes('"skills"'))!)[0];
    expect(card.skills.map((skill: { id: string }) => skill.id)).toContain('APPROVED_CHANGE');
    const streamed = documents(texts.find((text) => text.includes('data: '))!);
    expect(streamed.at(-1).result.statusUpdate.status.state).toBe('TASK_STATE_INPUT_REQUIRED');
    const approved = documents(texts.find((text) => text.includes('"id":2'))!)[0];
    expect(approved.result.task.status.state).toBe('TASK_STATE_COMPLETED');
    await waitFor(
      () => server.gql(`query { handoff(id: "a2a-change-2") { status } }`),
      (r) => r.data.handoff.status === 'CANCELLED',
    );
  });
});
