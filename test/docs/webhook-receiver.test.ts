/**
 * docs/webhooks.md's receiver (a js block: the docs test shows it, this test runs it): registered with the page's
 * own mutation on a free port, it verifies, de-duplicates and prints what the server delivers, and refuses forgeries.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../src/engine/webhooks/webhook-signature.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/server-process.js';
import { readFencedBlocks } from './markdown-blocks.js';

/** The first block of `language` on the webhooks page. */
function block(language: string): string {
  const page = fs.readFileSync(new URL('../../docs/webhooks.md', import.meta.url), 'utf8');
  const found = readFencedBlocks(page).blocks.find((candidate) => candidate.language === language);
  if (!found) throw new Error(`docs/webhooks.md has no ${language} block`);
  return found.source;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

let server: TestServer | null = null;
let receiver: ChildProcess | null = null;
let dir: string | null = null;

afterEach(async () => {
  receiver?.kill('SIGKILL');
  await server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  server = receiver = dir = null;
});

describe('docs/webhooks.md: the receiver', () => {
  it('registers with its mutation, and its receiver verifies, de-duplicates and prints the events; a forged POST gets 401', async () => {
    const port = await freePort();
    server = await startTestServer({
      WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      OUTBOUND_ALLOW_PRIVATE: '127.0.0.1',
      WEBHOOK_POLL_MS: '20',
    });
    const registered = await server.gql(block('graphql').replace('127.0.0.1:8080', `127.0.0.1:${port}`));
    expect(registered.errors).toBeUndefined();
    const { secret, userErrors } = registered.data.registerWebhook;
    expect(userErrors).toEqual([]);

    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-docs-receiver-'));
    fs.writeFileSync(path.join(dir, 'receiver.mjs'), block('js'));
    let output = '';
    receiver = spawn(process.execPath, [path.join(dir, 'receiver.mjs')], {
      env: { ...process.env, WEBHOOK_SECRET: secret, PORT: String(port) },
    });
    receiver.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    await waitFor(
      async () => output,
      (text) => text.includes('receiving webhooks'),
    );

    const forgedBody = JSON.stringify({ id: 'forged:1', type: 'HANDOFF_COMPLETED' });
    const forged = await fetch(`http://127.0.0.1:${port}/hooks`, {
      method: 'POST',
      headers: { 'handoff-signature': signatureHeader('whsec_not_the_secret_000000000', Date.now(), forgedBody) },
      body: forgedBody,
    });
    expect(forged.status).toBe(401);
    const replayed = await fetch(`http://127.0.0.1:${port}/hooks`, {
      method: 'POST',
      headers: { 'handoff-signature': signatureHeader(secret, Date.now() - 600_000, forgedBody) },
      body: forgedBody,
    });
    expect(replayed.status).toBe(401);

    const created = await server.gql(
      `mutation { createProcedure(input: { id: "README_HOOKED", name: "One no-op", steps: [{ id: "a", name: "a", kind: NOOP, timeoutMs: 1000 }] }) { userErrors { message } } }`,
    );
    expect(created.data.createProcedure.userErrors).toEqual([]);
    await server.gql(
      `mutation { initiateHandoff(input: { handoffId: "readme_hooked", procedureId: "README_HOOKED" }) { userErrors { message } } }`,
    );
    await waitFor(
      async () => output,
      (text) => text.includes('HANDOFF_COMPLETED'),
    );
    expect(output.trim().split('\n').slice(1)).toEqual([
      'readme_hooked 1 HANDOFF_CREATED',
      expect.stringMatching(/^readme_hooked \d+ HANDOFF_COMPLETED$/),
    ]);
  });
});
