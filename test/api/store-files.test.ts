import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killAll, listeningPort, postGraphQL, type ServerProcess, spawnServer } from '../support/server-process.js';
import { startTestApp } from '../support/test-app.js';

const START_TIMEOUT_MS = 60_000;

/** One nedb data-file line per document, as the earlier embedded store wrote them. */
function nedbFile(dir: string, name: string, docs: object[]): void {
  fs.writeFileSync(path.join(dir, `${name}.db`), `${docs.map((doc) => JSON.stringify(doc)).join('\n')}\n`);
}

describe('the embedded store file', () => {
  let dataDir: string;
  const started: ServerProcess[] = [];

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-files-'));
  });

  afterEach(async () => {
    await killAll(started);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  function start(): ServerProcess {
    const server = spawnServer({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    started.push(server);
    return server;
  }

  /** A closed store's database with a handoff in it: written by the app in this process (only refusing needs one). */
  async function storeWithHandoff(): Promise<string> {
    const server = await startTestApp({ STORE: 'embedded', DATA_DIR: dataDir });
    await server.gql('mutation { registerAgent(input: { id: "agent_2" }) { userErrors { message } } }');
    const created = await server.gql(
      `mutation { initiateHandoff(input: { handoffId: "kept", procedureId: "PHASE_TRANSITION_STANDARD", sourceAgent: "agent_1", targetAgent: "agent_2",
         metadata: { phaseComplete: true, resources: [], sourceStateChecksum: "a", targetStateChecksum: "a" } }) { userErrors { message } } }`,
    );
    expect(created.data.initiateHandoff.userErrors).toEqual([]);
    await server.close();
    return path.join(dataDir, 'handoff.sqlite');
  }

  async function expectRefused(file: string, detail: RegExp): Promise<void> {
    const before = fs.readFileSync(file);
    const server = start();
    const exit = await server.exited;
    expect(exit.code).toBe(1);
    const lines = server.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`Handoff failed to start: The database file ${file} is damaged`);
    expect(lines[0]).toMatch(detail);
    expect(lines[0]).toMatch(/Restore it from a backup, or move it/);
    // refusing changed nothing: the evidence is intact
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  }

  it(
    'refuses to start on a truncated database, naming the file and what to do',
    async () => {
      const file = await storeWithHandoff();
      const size = fs.statSync(file).size;
      fs.truncateSync(file, Math.floor(size / 2));
      await expectRefused(file, /header counts \d+ pages/);
    },
    START_TIMEOUT_MS * 2,
  );

  it(
    'refuses to start on a database whose pages are damaged',
    async () => {
      const file = await storeWithHandoff();
      const bytes = fs.readFileSync(file);
      const pageSize = bytes.readUInt16BE(16);
      // Scribble over every page but the first (the schema): tables and indexes are now malformed.
      for (let at = pageSize; at < bytes.length; at += pageSize) bytes.fill(0x5a, at + 8, at + 64);
      fs.writeFileSync(file, bytes);
      await expectRefused(file, /./);
    },
    START_TIMEOUT_MS * 2,
  );

  it(
    'imports a data directory of the earlier nedb store once, keeping the old files aside',
    async () => {
      const state = {
        id: 'old_1',
        procedureId: 'AGENT_HANDOFF_STANDARD',
        procedureVersion: 1,
        type: 'AGENT_TO_AGENT',
        priority: 'NORMAL',
        status: 'COMPLETED',
        sourceAgent: null,
        targetAgent: null,
        sourcePhase: null,
        targetPhase: null,
        createdAt: 1_700_000_000_000,
        startedAt: 1_700_000_000_000,
        finishedAt: 1_700_000_000_050,
        currentStep: 0,
        steps: [],
        version: 3,
        seq: 3,
        test: null,
        error: null,
        cancelReason: null,
      };
      const event = (seq: number, type: string, status: string) => ({
        handoffId: 'old_1',
        seq,
        at: 1_700_000_000_000 + seq,
        type,
        step: null,
        status,
        message: type,
        testId: null,
      });
      nedbFile(dataDir, 'handoffs', [
        {
          _id: 'old_1',
          version: 2,
          seq: 2,
          status: 'RUNNING',
          procedureId: 'AGENT_HANDOFF_STANDARD',
          type: 'AGENT_TO_AGENT',
          priority: 'NORMAL',
          sourceAgent: null,
          targetAgent: null,
          sourcePhase: null,
          testId: null,
          createdAt: 1_700_000_000_000,
          durationMs: null,
          state: JSON.stringify({ ...state, status: 'RUNNING' }),
          metadata: '{"ticket":"T-1"}',
          outbox: '[]',
          leaseOwner: null,
          leaseExpiresAt: 0,
          signals: {},
          cancelRequest: null,
        },
        // the later line for the same id wins; its outbox holds the final event the log never got
        {
          _id: 'old_1',
          version: 3,
          seq: 3,
          status: 'COMPLETED',
          procedureId: 'AGENT_HANDOFF_STANDARD',
          type: 'AGENT_TO_AGENT',
          priority: 'NORMAL',
          sourceAgent: null,
          targetAgent: null,
          sourcePhase: null,
          testId: null,
          createdAt: 1_700_000_000_000,
          durationMs: 50,
          state: JSON.stringify(state),
          metadata: '{"ticket":"T-1"}',
          outbox: JSON.stringify([event(3, 'HANDOFF_COMPLETED', 'COMPLETED')]),
          leaseOwner: null,
          leaseExpiresAt: 0,
          signals: {},
          cancelRequest: null,
        },
      ]);
      nedbFile(
        dataDir,
        'handoff_events',
        [1, 2].map((seq) => ({
          _id: `old_1#${String(seq).padStart(12, '0')}`,
          owner: 'old_1',
          seq,
          at: 1_700_000_000_000 + seq,
          body: JSON.stringify(event(seq, seq === 1 ? 'HANDOFF_CREATED' : 'HANDOFF_STARTED', 'RUNNING')),
        })),
      );
      fs.appendFileSync(path.join(dataDir, 'handoff_events.db'), '{"_id": "torn li\n');
      nedbFile(dataDir, 'procedures', []);

      const server = start();
      const port = await listeningPort(server);
      const read = await postGraphQL(port, '{ handoff(id: "old_1") { status metadata events { seq type } } }');
      expect(read.data.handoff).toEqual({
        status: 'COMPLETED',
        metadata: { ticket: 'T-1' },
        events: [
          { seq: 1, type: 'HANDOFF_CREATED' },
          { seq: 2, type: 'HANDOFF_STARTED' },
          { seq: 3, type: 'HANDOFF_COMPLETED' },
        ],
      });
      const logs = server
        .stdout()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line));
      const imported = logs.find((line) => line.msg === 'imported the nedb data directory into the SQLite store');
      expect(imported.counts).toMatchObject({ handoffs: 1, handoff_events: 2 });
      expect(logs.find((line) => /did not parse/.test(line.msg))?.badLines).toEqual({ handoff_events: 1 });
      const aside = fs.readdirSync(dataDir).find((name) => name.startsWith('nedb-imported-'))!;
      expect(fs.readdirSync(path.join(dataDir, aside)).sort()).toEqual([
        'handoff_events.db',
        'handoffs.db',
        'procedures.db',
      ]);
      server.child.kill('SIGTERM');
      expect((await server.exited).code).toBe(0);
      expect(fs.readdirSync(dataDir).sort()).toEqual(['handoff.sqlite', aside]);
    },
    START_TIMEOUT_MS * 2,
  );
});
