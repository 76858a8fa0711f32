import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcedure, getHandoff, quickStep } from '../support/handoff-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** A real full disk needs a small file system of its own: a tmpfs, which only a privileged root may mount. */
function canMountTmpfs(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

const canMount = canMountTmpfs();

const INITIATE = `mutation($input: InitiateHandoffInput!) { initiateHandoff(input: $input) { handoff { id status } userErrors { message } } }`;

describe.skipIf(!canMount)(
  'the embedded store on a disk that fills up (skipped unless root may mount a tmpfs here)',
  () => {
    let mount: string;
    let server: TestServer;

    beforeAll(async () => {
      mount = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-full-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mount]);
      server = await startTestServer({ STORE: 'embedded', DATA_DIR: mount }, { logLevel: 'warn' });
    });

    afterAll(async () => {
      await server?.close();
      execFileSync('umount', [mount]);
      fs.rmSync(mount, { recursive: true, force: true });
    });

    it('fails the writes it cannot make with STORE_UNAVAILABLE, keeps serving, and finishes every acknowledged handoff once space is back', async () => {
      const created = await createProcedure(server, {
        id: 'DISK_FULL',
        name: 'disk full',
        steps: [quickStep('first', 'NOOP', {}), quickStep('pause', 'DELAY', { ms: 20 }), quickStep('last', 'NOOP', {})],
      });
      expect(created.userErrors).toEqual([]);
      const padding = 'x'.repeat(2_000);
      const acknowledged: string[] = [];
      const start = async (id: string) => {
        const response = await server.gql(INITIATE, {
          input: { handoffId: id, procedureId: 'DISK_FULL', metadata: { padding } },
        });
        if (response.data?.initiateHandoff.handoff) acknowledged.push(id);
        return response;
      };
      for (let i = 0; i < 20; i++) await start(`before_${i}`);
      expect(acknowledged).toHaveLength(20);

      // Fill the disk: the store's next writes need room it cannot have.
      const filler = path.join(mount, 'filler');
      expect(() => fs.writeFileSync(filler, Buffer.alloc(16 * 1024 * 1024))).toThrow(/ENOSPC/);
      let refused: { errors?: { message: string; extensions?: Record<string, unknown> }[] } | null = null;
      for (let i = 0; i < 2_000 && !refused; i++) {
        const response = await start(`during_${i}`);
        if (response.errors) refused = response;
      }
      expect(refused?.errors?.[0]).toMatchObject({
        extensions: { code: 'STORE_UNAVAILABLE' },
        message: expect.stringMatching(/nothing of it was acknowledged/),
      });
      expect(JSON.stringify(refused)).not.toMatch(/SQLITE|disk I\/O|database or disk/);
      const refusedId = `during_${acknowledged.filter((id) => id.startsWith('during_')).length}`;

      // Still serving: health, reads, and a clear answer for the refused handoff (it does not exist).
      expect((await fetch(`${server.origin}/health`)).status).toBe(200);
      expect((await server.gql('{ procedures { edges { node { procedureId } } } }')).errors).toBeUndefined();
      expect(await getHandoff(server, refusedId)).toBeNull();

      // Runs cut short by the full disk are retried while it is still full, and fail again: the process lives on.
      const stopped = () =>
        server.logs.filter((line) => line.msg === 'handoff run stopped on an unexpected error; it will be resumed')
          .length;
      for (let wait = 10; stopped() < 2; wait = Math.min(wait * 2, 500))
        await new Promise((resolve) => setTimeout(resolve, wait));
      expect((await fetch(`${server.origin}/health`)).status).toBe(200);

      // Space comes back: every acknowledged handoff completes, its history gapless to the final event.
      fs.rmSync(filler);
      for (const id of acknowledged) {
        let handoff = await getHandoff(server, id);
        for (let wait = 10; handoff.status !== 'COMPLETED'; wait = Math.min(wait * 2, 500)) {
          expect(['PENDING', 'RUNNING', 'WAITING']).toContain(handoff.status);
          await new Promise((resolve) => setTimeout(resolve, wait));
          handoff = await getHandoff(server, id);
        }
        expect(handoff.events.map((event: { seq: number }) => event.seq)).toEqual(
          handoff.events.map((_: unknown, index: number) => index + 1),
        );
        expect(handoff.events.at(-1).type).toBe('HANDOFF_COMPLETED');
      }
      expect(server.logs.some((line) => /store could not/i.test(JSON.stringify(line)))).toBe(true);
    }, 120_000);
  },
);
