import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonForTests } from '../support/python-env.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { runTwoAgentsWalkthrough, sectionBlocks, stopCommand } from '../support/two-agents-walkthrough.js';

let server: TestServer;
let worker: ChildProcess | null = null;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  stopCommand(worker);
  await server.close();
});

describe('the Python worker (clients/python)', () => {
  it("completes the README's Two agents hand off, started with the command docs/agents-from-anywhere.md gives", async () => {
    const commands = sectionBlocks('docs/agents-from-anywhere.md', 'A Python worker').filter((b) => b.lang === 'sh');
    expect(commands.map((command) => command.source.trim())).toEqual([
      'python3 -m venv .venv && .venv/bin/pip install --quiet httpx',
      '.venv/bin/python clients/python/examples/reviewer.py --agent agent_2',
    ]);
    // The setup block's venv is the one scripts/python-env.sh keeps for the tests (same requirements).
    const command = commands[1].source.trim().replace('.venv/bin/python', pythonForTests());
    const started = await runTwoAgentsWalkthrough(server, command);
    worker = started.child;
    expect(started.output()).toContain('completed task');
    expect(started.output()).toContain('acknowledged what handoff plan_review_001 delivered');
  });
});
