import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { GraphQLGateway } from './graphql-gateway.js';
import { input } from './tool-input.js';
import { dataOf, payloadOf, runTool, type ToolError, ToolRefusal } from './tool-result.js';

export const HANDOFF_FIELDS = `handoffId status procedureId procedureVersion sourceAgent targetAgent priority error errorCode
  createdAt finishedAt currentStep { id name status } steps { id name kind status attempts error output }`;
export const EVENT_FIELDS = 'seq type step status attempt message at';

type Handoff = Record<string, unknown> & { events?: unknown[] };

/** The tools around handoffs themselves: who am I, which procedures, start one, read one with its events. */
export function registerHandoffTools(server: McpServer, gateway: GraphQLGateway): void {
  server.registerTool(
    'who_am_i',
    {
      title: 'Who am I to the server',
      description:
        'Tells which API key you are using: its name, its role (VIEWER, OPERATOR, ADMIN or AGENT) and, for an agent ' +
        'key, the agent it acts for. An agent key works on its own agent tasks and inbox only; starting handoffs ' +
        'needs an operator key. Returns { keyName, role, agentId, keysRequired }.',
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    () =>
      runTool(async () => {
        const data = dataOf(
          await gateway.request<{ viewer: Record<string, unknown> | null }>(
            '{ viewer { keyName role agentId keysRequired } }',
          ),
        );
        if (!data.viewer) throw new ToolRefusal({ code: 'UNAUTHENTICATED', message: 'An API key is required' });
        return data.viewer;
      }),
  );

  server.registerTool(
    'list_procedures',
    {
      title: 'List the procedures',
      description:
        'Lists the procedures a handoff can follow: their id, name, description, the context keys a handoff of ' +
        'them must carry in its metadata, and their steps. Use it to pick the procedureId for start_handoff. ' +
        'Returns { procedures: [...], totalCount }: the first 100 in id order, and how many there are.',
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    () =>
      runTool(async () => {
        // A page, as every list is: the first 100 serve any store a person or an agent picks from.
        const { procedures } = dataOf(
          await gateway.request<{ procedures: { totalCount: number; edges: { node: unknown }[] } }>(
            '{ procedures(first: 100) { totalCount edges { node { procedureId name description version requiredContextKeys steps { id name kind } } } } }',
          ),
        );
        return { procedures: procedures.edges.map((edge) => edge.node), totalCount: procedures.totalCount };
      }),
  );

  server.registerTool(
    'start_handoff',
    {
      title: 'Start a handoff',
      description:
        'Starts a handoff: work handed from a source agent to a target agent, run step by step by the named ' +
        'procedure after its validation rules pass. `metadata` is the context the rules check and the steps hand ' +
        'over. A refusal (a rule failed, an unknown agent or procedure) comes back as an error with its code and ' +
        'changes nothing. Needs an operator key. Returns { handoff: { handoffId, status, … } }; follow it with ' +
        'read_handoff or the handoff://{handoffId}/events resource.',
      inputSchema: {
        procedureId: input.id('The procedure to follow (procedureId from list_procedures).'),
        handoffId: input
          .id('Your id for the handoff; one is generated when left out. Reusing one is refused.')
          .optional(),
        sourceAgent: input.id('The agent handing the work over.').optional(),
        targetAgent: input.id('The agent receiving the work.').optional(),
        metadata: input.object('The context: what the rules check and the steps hand over (a JSON object).').optional(),
        priority: input.choice(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'], 'How urgent (default MEDIUM).').optional(),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (args) =>
      runTool(async () => {
        const data = dataOf(
          await gateway.request<{ initiateHandoff: { handoff: Handoff | null; userErrors: ToolError[] } }>(
            `mutation($input: InitiateHandoffInput!) { initiateHandoff(input: $input) { handoff { ${HANDOFF_FIELDS} } userErrors { code message field } } }`,
            { input: args },
          ),
        );
        return { handoff: payloadOf(data.initiateHandoff).handoff };
      }),
  );

  server.registerTool(
    'read_handoff',
    {
      title: 'Read a handoff and its events',
      description:
        'Reads a handoff: its status (PENDING, RUNNING, WAITING, PAUSED, COMPLETED, FAILED, ROLLED_BACK, CANCELLED…), ' +
        'each step with its status and output, and its events after afterSeq (the history, oldest first). Name it ' +
        'by handoffId, or by the taskId of a task it offered you (an agent key reads handoffs that way only). ' +
        'Returns { handoff, events, lastSeq }: pass lastSeq as afterSeq next time to read only what is new.',
      inputSchema: {
        handoffId: input.id('The handoff id.').optional(),
        taskId: input.id('Instead of handoffId: a task of the handoff that was offered to you.').optional(),
        afterSeq: input.seq('Only events after this seq (default 0: all).').optional(),
        eventLimit: input.count('At most this many events (default 50).', 200).optional(),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      runTool(async () => {
        if (!args.handoffId === !args.taskId)
          throw new ToolRefusal({
            code: 'INVALID_VALUE',
            message: 'Name the handoff by exactly one of handoffId or taskId',
            field: ['handoffId'],
          });
        const handoff = await readHandoff(gateway, args, args.afterSeq ?? 0, args.eventLimit ?? 50);
        const { events = [], ...rest } = handoff;
        const lastSeq = (events.at(-1) as { seq?: number } | undefined)?.seq ?? args.afterSeq ?? 0;
        return { handoff: rest, events, lastSeq };
      }),
  );
}

/** One handoff with its events after `afterSeq`, by its id or through a task of it. */
export async function readHandoff(
  gateway: GraphQLGateway,
  by: { handoffId?: string; taskId?: string },
  afterSeq: number,
  limit: number,
): Promise<Handoff> {
  const fields = `${HANDOFF_FIELDS} events(afterSeq: $after, limit: $limit) { ${EVENT_FIELDS} }`;
  const variables = { id: by.handoffId ?? by.taskId, after: afterSeq, limit };
  const handoff = by.handoffId
    ? dataOf(
        await gateway.request<{ handoff: Handoff | null }>(
          `query($id: ID!, $after: Int, $limit: Int) { handoff(id: $id) { ${fields} } }`,
          variables,
        ),
      ).handoff
    : dataOf(
        await gateway.request<{ agentTask: { handoff: Handoff | null } | null }>(
          `query($id: ID!, $after: Int, $limit: Int) { agentTask(taskId: $id) { handoff { ${fields} } } }`,
          variables,
        ),
      ).agentTask?.handoff;
  if (!handoff)
    throw new ToolRefusal({
      code: 'NOT_FOUND',
      message: by.handoffId ? `No handoff "${by.handoffId}"` : `No task "${by.taskId}" (or its handoff is gone)`,
      field: [by.handoffId ? 'handoffId' : 'taskId'],
    });
  return handoff;
}
