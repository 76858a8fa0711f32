/**
 * A typed Handoff client: starts a handoff (optional) and follows its progress to the end, printing
 * each event as one JSON line; it survives dropped connections without repeating or missing an event.
 * Its operations are in operations.graphql, typed by `npm run codegen` into ./generated.
 *
 *   npx tsx examples/typed-client/follow-handoff.ts --handoff release_7 [--start PHASE_TRANSITION_STANDARD]
 *
 * Options (or environment): --url (HANDOFF_URL, default http://localhost:4000/graphql),
 * --key (HANDOFF_API_KEY), --handoff (the handoffId), --start (a procedureId: initiate it first),
 * --after (last seq already seen). Exits 0 when the handoff completed, 1 when it ended otherwise.
 */
import { parseArgs } from 'node:util';
import { HandoffStatusDocument, StartHandoffDocument } from './generated/graphql.js';
import { GraphQLHttpClient } from './graphql-http.js';
import { followHandoffProgress } from './handoff-progress.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.HANDOFF_URL ?? 'http://localhost:4000/graphql' },
    key: { type: 'string', default: process.env.HANDOFF_API_KEY },
    handoff: { type: 'string' },
    start: { type: 'string' },
    after: { type: 'string', default: '0' },
  },
});
if (!values.handoff) throw new Error('--handoff <handoffId> is required');
const handoffId = values.handoff;
const http = new GraphQLHttpClient(values.url, values.key);

if (values.start) {
  const { initiateHandoff } = await http.request(StartHandoffDocument, {
    input: { handoffId, procedureId: values.start },
  });
  if (initiateHandoff.userErrors.length > 0) {
    console.error(initiateHandoff.userErrors.map((error) => `${error.code}: ${error.message}`).join('\n'));
    process.exit(2);
  }
}

const progress = followHandoffProgress({
  url: values.url.replace(/^http/, 'ws'),
  apiKey: values.key,
  handoffId,
  afterSeq: Number(values.after),
  onReconnect: ({ afterSeq, attempt, reason }) =>
    console.error(`connection lost (${reason}); resubscribing after seq ${afterSeq} (attempt ${attempt})`),
});
for await (const event of progress) console.log(JSON.stringify(event));

const { handoff } = await http.request(HandoffStatusDocument, { id: handoffId });
console.error(`handoff ${handoffId}: ${handoff?.status ?? 'not found'}`);
process.exit(handoff?.status === 'COMPLETED' ? 0 : 1);
