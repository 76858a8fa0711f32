/**
 * A typed Handoff client: starts a handoff (optional) and follows its progress to the end, printing
 * each event as one JSON line; it survives dropped connections without repeating or missing an event.
 * Its operations are in operations.graphql, typed by `npm run codegen` into ./generated.
 *
 *   npx tsx examples/typed-client/follow-handoff.ts --handoff release_7 [--start PHASE_TRANSITION_STANDARD
 *     --source-agent agent_1 --target-agent agent_2 --metadata '{"phaseComplete":true}']
 *
 * Options (or environment): --url (HANDOFF_URL, default http://localhost:4000/graphql),
 * --key (HANDOFF_API_KEY), --handoff (the handoffId), --start (a procedureId: initiate it first, with
 * --source-agent, --target-agent and --metadata, a JSON object, when the procedure needs them),
 * --after (last seq already seen). Exits 0 when the handoff completed, 1 when it ended otherwise,
 * 2 when the command line is wrong or the server refused to start the handoff.
 */
import { parseArgs } from 'node:util';
import { HandoffStatusDocument, StartHandoffDocument } from './generated/graphql.js';
import { GraphQLHttpClient } from './graphql-http.js';
import { followHandoffProgress } from './handoff-progress.js';

const USAGE =
  'usage: follow-handoff.ts --handoff <handoffId> [--start <procedureId> [--source-agent <agentId>] ' +
  "[--target-agent <agentId>] [--metadata '<JSON object>']] [--after <seq>] [--url <url>] [--key <key>]";

function usageError(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function parseCommandLine() {
  try {
    return parseArgs({
      options: {
        url: { type: 'string', default: process.env.HANDOFF_URL ?? 'http://localhost:4000/graphql' },
        key: { type: 'string', default: process.env.HANDOFF_API_KEY },
        handoff: { type: 'string' },
        start: { type: 'string' },
        'source-agent': { type: 'string' },
        'target-agent': { type: 'string' },
        metadata: { type: 'string' },
        after: { type: 'string', default: '0' },
      },
    }).values;
  } catch (error) {
    return usageError((error as Error).message);
  }
}

/** --metadata as the JSON object initiateHandoff takes, or a usage error saying what is wrong with it. */
function metadataOf(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return usageError(`--metadata is not JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return usageError('--metadata must be a JSON object, e.g. \'{"phaseComplete":true}\'');
  return value as Record<string, unknown>;
}

const values = parseCommandLine();
if (!values.handoff) usageError('--handoff <handoffId> is required');
if (!values.start && (values['source-agent'] || values['target-agent'] || values.metadata))
  usageError('--source-agent, --target-agent and --metadata go with --start');
const handoffId = values.handoff;
const metadata = metadataOf(values.metadata);
const http = new GraphQLHttpClient(values.url, values.key);

if (values.start) {
  const { initiateHandoff } = await http.request(StartHandoffDocument, {
    input: {
      handoffId,
      procedureId: values.start,
      sourceAgent: values['source-agent'],
      targetAgent: values['target-agent'],
      metadata,
    },
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
