import type { GraphQLApi } from './server.js';

export const HANDOFF_FIELDS = `id handoffId status error procedureVersion
  steps { id name status attempts error output }`;

/** Registers a source and a target agent that satisfy VR004, VR006 and VR007. */
export async function registerReadyAgents(server: GraphQLApi, source = 'agent_1', target = 'agent_2'): Promise<void> {
  for (const [id, permission] of [
    [source, 'handoff:send'],
    [target, 'handoff:receive'],
  ]) {
    const registered = await server.gql(
      `mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { userErrors { message } } }`,
      { input: { id, capabilities: ['planning'], permissions: [permission] } },
    );
    if (registered.errors || registered.data.registerAgent.userErrors.length)
      throw new Error(JSON.stringify(registered));
    const beat = await server.gql(
      `mutation($id: ID!) { agentHeartbeat(input: { id: $id, status: READY }) { userErrors { message } } }`,
      { id },
    );
    if (beat.errors || beat.data.agentHeartbeat.userErrors.length) throw new Error(JSON.stringify(beat));
  }
}

/** Metadata that passes the PHASE_TRANSITION_STANDARD gates (VR001–VR003) and its steps. */
export function phaseContext(): Record<string, unknown> {
  return {
    phaseComplete: true,
    resources: [{ name: 'db', available: true }],
    state: { cursor: 42 },
    sourceStateChecksum: 'abc',
    targetStateChecksum: 'abc',
  };
}

export async function initiate(server: GraphQLApi, input: Record<string, unknown>) {
  const response = await server.gql(
    `mutation($input: InitiateHandoffInput!) { initiateHandoff(input: $input) { handoff { ${HANDOFF_FIELDS} } userErrors { field message code } } }`,
    { input },
  );
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data.initiateHandoff as {
    handoff: any;
    userErrors: { field: string[]; message: string; code: string }[];
  };
}

export const PROGRESS = `subscription($id: ID!, $after: Int) { handoffProgress(id: $id, afterSeq: $after) { seq type step status message attempt } }`;

/** Follows a handoff to its final event (graphql-ws on a port, SSE on a TestApp); returns every event seen. */
export async function follow(server: GraphQLApi, id: string, afterSeq = 0) {
  const results = await server.subscribe(PROGRESS, { id, after: afterSeq });
  const errors = results.flatMap((r) => r.errors ?? []);
  if (errors.length) throw new Error(JSON.stringify(errors));
  return results.map(
    (r) =>
      r.data.handoffProgress as {
        seq: number;
        type: string;
        step: string | null;
        status: string;
        message: string;
        attempt: number | null;
      },
  );
}

export async function getHandoff(server: GraphQLApi, id: string) {
  const response = await server.gql(
    `query($id: ID!) { handoff(id: $id) { ${HANDOFF_FIELDS} events { seq type step } } }`,
    { id },
  );
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data.handoff;
}

export async function createProcedure(server: GraphQLApi, input: Record<string, unknown>) {
  const response = await server.gql(
    `mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { procedure { id procedureId version } userErrors { field message code } } }`,
    { input },
  );
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data.createProcedure;
}

/** A procedure of one quick SIMULATE step, for tests about handoffs rather than procedures. */
export const ONE_STEP_PROCEDURE = 'ONE_STEP';

export async function createOneStepProcedure(server: GraphQLApi): Promise<void> {
  const created = await createProcedure(server, {
    id: ONE_STEP_PROCEDURE,
    name: 'One step',
    steps: [quickStep('only', 'SIMULATE', {})],
  });
  if (created.userErrors.length > 0) throw new Error(JSON.stringify(created.userErrors));
}

/** A step with quick retries, so tests do not wait on default backoff. */
export function quickStep(
  id: string,
  kind: string,
  params: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return {
    id,
    name: id.replace(/_/g, ' '),
    kind,
    params,
    timeoutMs: 2_000,
    retry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20, multiplier: 2, jitter: 0 },
    ...extra,
  };
}

export function noopCompensation(id: string) {
  return { id, name: id.replace(/_/g, ' '), kind: 'NOOP', params: {}, timeoutMs: 1_000 };
}
