import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/**
 * Test files that start server processes (crashes, restarts, several servers on one store, `npm start`) or other
 * programs (the workers, the MCP stdio server, Python). They run after the in-process files, two at a time: each mostly waits for its servers.
 */
const PROCESS_TESTS = [
  'test/api/a2a-crash.test.ts',
  'test/api/a2a-python-peer.test.ts',
  'test/api/agent-task-crash.test.ts',
  'test/api/canonical-digest.test.ts',
  'test/api/bulk-operation-crash.test.ts',
  'test/api/cancel-race.test.ts',
  'test/api/crash-recovery.test.ts',
  'test/api/graph-crash.test.ts',
  'test/api/levers-restart.test.ts',
  'test/api/mcp.test.ts',
  // Starts a FerretDB of its own, stops it under a running server and starts it again.
  'test/api/mongo-outage.test.ts',
  'test/api/multi-process.test.ts',
  'test/api/python-worker.test.ts',
  'test/api/server-build.test.ts',
  'test/api/shared-work.test.ts',
  'test/api/startup.test.ts',
  'test/api/store-faults.test.ts',
  'test/api/store-files.test.ts',
  'test/api/typed-client.test.ts',
  'test/api/webhook-crash.test.ts',
  'test/api/worker-crash.test.ts',
  'test/api/worker-package.test.ts',
  // Builds the dashboard with Vite in a process of its own, twice.
  'test/dashboard/build-stamp.test.ts',
  // The docs' shell blocks run as pasted: curl, and the examples under tsx in their own processes.
  'test/docs/docs-pages.test.ts',
  'test/docs/webhook-receiver.test.ts',
];
/** Headless Chromium against a real server: last, one file at a time, with no other test beside them. */
const BROWSER_TESTS = [
  'test/dashboard/dashboard.test.ts',
  'test/dashboard/handoff-levers.test.ts',
  // A graph handoff's timeline: lanes, branches and a linked sub-handoff.
  'test/dashboard/graph-timeline.test.ts',
  'test/dashboard/operators.test.ts',
  // A browser EventSource cut mid-stream.
  'test/api/sse-resume.test.ts',
];

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (main) and ESM (module). Node loads the CJS copy for our dependencies;
    // without this alias Vite would give our own imports the ESM copy, and two graphql realms break the schema.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    // Tests wait for events, never for a time: a timeout only bounds a test that would otherwise hang, so it is
    // generous enough for a 2-core machine that others are also using.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // On two cores vitest would start one worker (cores − 1); the in-process files are CPU-bound and independent.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'in-process',
          include: ['test/**/*.test.ts', 'dashboard/src/**/*.test.ts'],
          exclude: [...PROCESS_TESTS, ...BROWSER_TESTS],
          // Each file builds its own app, store and engine, so nothing is shared but loaded modules: a worker
          // loads the server's modules (about 2 s of CPU) once instead of once per file.
          isolate: false,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'processes', include: PROCESS_TESTS, sequence: { groupOrder: 1 } },
      },
      {
        extends: true,
        test: { name: 'browser', include: BROWSER_TESTS, maxWorkers: 1, sequence: { groupOrder: 2 } },
      },
    ],
  },
});
