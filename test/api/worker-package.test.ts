import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcedure, follow, initiate, quickStep, registerReadyAgents } from '../support/handoff-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ROOT } from '../support/server-process.js';

let server: TestServer;
let dir: string;

beforeAll(async () => {
  server = await startTestServer();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-worker-package-'));
});

afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A worker script as a project outside this repository writes it, against the installed package. */
const SCRIPT = `
import { createWorker } from '@handoff/worker';
const worker = createWorker({
  url: process.env.HANDOFF_URL,
  agent: 'packaged_agent',
  log: (line) => console.log(line),
  handle: async (task) => ({ packaged: true, input: task.input }),
});
await worker.start();
process.once('SIGTERM', () => void worker.stop().then(() => process.exit(0)));
`;

describe('@handoff/worker as a package', () => {
  it('packs, installs into an empty project, and does a task under plain Node', async () => {
    execFileSync('npm', ['pack', './packages/worker', '--pack-destination', dir, '--silent'], { cwd: ROOT });
    const app = path.join(dir, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', type: 'module', private: true }));
    fs.writeFileSync(path.join(app, 'worker.js'), SCRIPT);
    execFileSync(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', '--silent', '../handoff-worker-0.1.0.tgz'],
      {
        cwd: app,
      },
    );
    const installed = JSON.parse(fs.readFileSync(path.join(app, 'node_modules/@handoff/worker/package.json'), 'utf8'));
    expect(installed.dependencies ?? {}).toEqual({});

    await registerReadyAgents(server, 'lead', 'packaged_agent');
    const step = quickStep('work', 'AGENT_TASK', { input: { n: 1 } }, { timeoutMs: 30_000 });
    expect((await createProcedure(server, { id: 'PACKAGED', name: 'packaged', steps: [step] })).userErrors).toEqual([]);
    const worker = spawn(process.execPath, ['worker.js'], {
      cwd: app,
      env: { ...process.env, HANDOFF_URL: server.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    worker.stdout!.on('data', (chunk) => (output += chunk));
    worker.stderr!.on('data', (chunk) => (output += chunk));
    try {
      const started = await initiate(server, {
        handoffId: 'packaged_1',
        procedureId: 'PACKAGED',
        sourceAgent: 'lead',
        targetAgent: 'packaged_agent',
      });
      expect(started.userErrors).toEqual([]);
      expect((await follow(server, 'packaged_1')).at(-1)!.type).toBe('HANDOFF_COMPLETED');
      const handoff = await server.gql(`{ handoff(id: "packaged_1") { steps { output } } }`);
      expect(handoff.data.handoff.steps[0].output).toEqual({ packaged: true, input: { n: 1 } });
    } finally {
      worker.kill('SIGTERM');
      await new Promise((resolve) => worker.once('exit', resolve));
    }
    expect(output).toContain('completed task');
  }, 120_000);
});
