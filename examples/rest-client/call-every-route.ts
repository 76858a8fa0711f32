/**
 * Calls every REST route once with the generated client (every-route.ts) and prints one line per route:
 * method, path, HTTP status. Exits 1 when any answered 400 or more.
 *
 *   npx tsx examples/rest-client/call-every-route.ts [--url http://localhost:4000/rest] [--key <API key>]
 *     [--procedure <procedureId> --step <its step that waits for a signal>]
 *
 * It starts two handoffs of --procedure (default PHASE_TRANSITION_STANDARD, source agent_1, target agent_2),
 * signals one and cancels the other, and starts and cancels a small reliability test.
 */
import { parseArgs } from 'node:util';
import { callEveryRoute } from './every-route.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.HANDOFF_URL?.replace(/\/graphql$/, '/rest') },
    key: { type: 'string', default: process.env.HANDOFF_API_KEY },
    procedure: { type: 'string', default: 'PHASE_TRANSITION_STANDARD' },
    step: { type: 'string', default: 'approval' },
  },
});
const calls = await callEveryRoute({
  baseUrl: values.url ?? 'http://localhost:4000/rest',
  apiKey: values.key,
  procedureId: values.procedure!,
  signalStep: values.step!,
  runId: `rest_client_${Date.now().toString(36)}`,
});
for (const call of calls) console.log(`${call.route} ${call.status}`);
if (calls.some((call) => call.status >= 400)) process.exitCode = 1;
