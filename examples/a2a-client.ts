/**
 * Starts a handoff on Handoff's Agent Card with @a2a-js/sdk's client and follows it to the end:
 * it prints each update, and when the handoff needs input (an AWAIT_SIGNAL step, or a question of
 * an agent it delegated to) it sends the answer on the same task and follows on.
 *
 *   npx tsx examples/a2a-client.ts <skillId> '<context JSON>' '<answer JSON>'
 *
 * HANDOFF_URL (default http://localhost:4000/graphql) names the server, whose card is at
 * /.well-known/agent-card.json; HANDOFF_API_KEY is sent as a Bearer key when set (an operator key:
 * starting a handoff needs one).
 */
import { SendMessageRequest, StreamResponse } from '@a2a-js/sdk';
import {
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
} from '@a2a-js/sdk/client';

const [skillId, context = '{}', answer = '{"approved": true}'] = process.argv.slice(2);
if (!skillId) {
  console.error("usage: npx tsx examples/a2a-client.ts <skillId> '<context JSON>' '<answer JSON>'");
  process.exit(2);
}
const origin = new URL(process.env.HANDOFF_URL ?? 'http://localhost:4000/graphql').origin;
const key = process.env.HANDOFF_API_KEY;

// Every call (the card included) carries the key, when there is one.
const fetchWithKey: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  if (key) headers.set('authorization', `Bearer ${key}`);
  return fetch(input, { ...init, headers });
};
const client = await new ClientFactory(
  ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
    transports: [new JsonRpcTransportFactory({ fetchImpl: fetchWithKey })],
    cardResolver: new DefaultAgentCardResolver({ fetchImpl: fetchWithKey }),
  }),
).createFromUrl(origin);

/** The parts of a streamed update (protocol JSON) this client prints. */
interface WireStatus {
  state: string;
  message?: { parts?: { text?: string }[] };
}
interface WireUpdate {
  task?: { id: string; status?: WireStatus };
  statusUpdate?: { taskId: string; status?: WireStatus };
  artifactUpdate?: { artifact: { artifactId: string; parts: { data?: unknown }[] } };
}

/** Sends one message and prints the stream of updates; returns the task id and its last state. */
async function send(message: Record<string, unknown>): Promise<{ taskId: string; state: string }> {
  const request = SendMessageRequest.fromJSON({
    message: { messageId: crypto.randomUUID(), role: 'ROLE_USER', ...message },
  });
  let taskId = '';
  let state = '';
  for await (const update of client.sendMessageStream(request)) {
    const wire = StreamResponse.toJSON(update) as WireUpdate;
    const status = wire.task?.status ?? wire.statusUpdate?.status;
    taskId ||= wire.task?.id ?? wire.statusUpdate?.taskId ?? '';
    if (status) {
      state = status.state;
      console.log(`${state}: ${status.message?.parts?.[0]?.text ?? ''}`);
    }
    if (wire.artifactUpdate)
      console.log(
        `artifact ${wire.artifactUpdate.artifact.artifactId}: ${JSON.stringify(wire.artifactUpdate.artifact.parts[0].data)}`,
      );
  }
  return { taskId, state };
}

let { taskId, state } = await send({ parts: [{ data: JSON.parse(context) }], metadata: { skillId } });
while (state === 'TASK_STATE_INPUT_REQUIRED') {
  console.log(`answering on task ${taskId}: ${answer}`);
  ({ state } = await send({ taskId, parts: [{ data: JSON.parse(answer) }] }));
}
console.log(`task ${taskId} ended ${state}`);
process.exit(state === 'TASK_STATE_COMPLETED' ? 0 : 1);
