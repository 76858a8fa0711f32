import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ActingAgent } from './acting-agent.js';
import type { GraphQLGateway } from './graphql-gateway.js';
import { input } from './tool-input.js';
import { dataOf, payloadOf, runTool, type ToolError, ToolRefusal } from './tool-result.js';

const TASK = 'taskId handoffId step name attempt compensation input heartbeatTimeoutMs deadlineAt status';

const taskId = input.id('The task id (taskId from list_offered_tasks).');
const token = input.text('The claim token claim_task gave you for this task.', 200);

interface TaskPayload {
  task: Record<string, unknown> | null;
  userErrors: ToolError[];
}

/** The tools for an agent's tasks: what is offered, claim, heartbeat, complete, fail. */
export function registerTaskTools(server: McpServer, gateway: GraphQLGateway, acting: ActingAgent): void {
  server.registerTool(
    'list_offered_tasks',
    {
      title: 'List the tasks offered to me',
      description:
        'Lists the tasks a running handoff has offered to your agent and nobody has claimed yet, newest first. ' +
        'Use it to find work: each task has an input (what to work on), a deadline, and a heartbeatTimeoutMs ' +
        '(when set, send heartbeat_task more often than that while you work, or the task is taken back). ' +
        'To take one, call claim_task with its taskId. Returns { agentId, totalCount, tasks: [...] }.',
      inputSchema: {
        agentId: input.id('Your agent id; leave it out when your API key is bound to an agent.').optional(),
        first: input.count('How many tasks at most (default 20).', 50).optional(),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      runTool(async () => {
        const agentId = await acting.resolve(args.agentId);
        const data = dataOf(
          await gateway.request<{ agent: { tasks: { totalCount: number; edges: { node: unknown }[] } } | null }>(
            `query($id: ID!, $first: Int) { agent(id: $id) { tasks(first: $first, status: [OFFERED]) { totalCount edges { node { ${TASK} } } } } }`,
            { id: agentId, first: args.first ?? 20 },
          ),
        );
        if (!data.agent)
          throw new ToolRefusal({
            code: 'NOT_FOUND',
            message: `No agent "${agentId}" is registered`,
            field: ['agentId'],
          });
        return {
          agentId,
          totalCount: data.agent.tasks.totalCount,
          tasks: data.agent.tasks.edges.map((edge) => edge.node),
        };
      }),
  );

  server.registerTool(
    'claim_task',
    {
      title: 'Claim a task',
      description:
        'Claims an offered task so that you alone work on it. Of several claims exactly one wins; the others get ' +
        'TASK_ALREADY_CLAIMED. Returns { token, task }: keep the token, heartbeat_task, complete_task and fail_task ' +
        'need it (it is shown only once). Then do the work the task input describes, and finish with complete_task ' +
        'or fail_task before the task deadline.',
      inputSchema: { taskId },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (args) =>
      runTool(async () => {
        const data = dataOf(
          await gateway.request<{ claimAgentTask: TaskPayload & { token: string | null } }>(
            `mutation($taskId: ID!) { claimAgentTask(input: { taskId: $taskId }) { token task { ${TASK} } userErrors { code message field } } }`,
            { taskId: args.taskId },
          ),
        );
        const { token, task } = payloadOf(data.claimAgentTask);
        return { token, task };
      }),
  );

  server.registerTool(
    'heartbeat_task',
    {
      title: 'Report progress on a claimed task',
      description:
        'Tells the engine you are still working on a claimed task, optionally with progress details. Needed more ' +
        'often than the task heartbeatTimeoutMs when it has one; harmless otherwise. A TASK_NOT_CURRENT error ' +
        'means the task was taken back (timed out, cancelled, replaced): stop working on it. Returns { taskId, status, heartbeatDueAt }.',
      inputSchema: {
        taskId,
        token,
        progress: input.json('Progress details, any JSON value (e.g. { "done": 2, "of": 5 }).').optional(),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      runTool(async () => {
        const data = dataOf(
          await gateway.request<{ heartbeatAgentTask: TaskPayload }>(
            `mutation($input: HeartbeatAgentTaskInput!) { heartbeatAgentTask(input: $input) { task { taskId status heartbeatDueAt } userErrors { code message field } } }`,
            { input: { taskId: args.taskId, token: args.token, progress: args.progress ?? null } },
          ),
        );
        return payloadOf(data.heartbeatAgentTask).task ?? {};
      }),
  );

  server.registerTool(
    'complete_task',
    {
      title: 'Complete a claimed task',
      description:
        'Finishes a claimed task with your result: `output` (a JSON object) becomes the output of the handoff step, ' +
        'which later steps and validation rules read, and the handoff moves on. Sending the same completion again ' +
        'with the same token is safe. Returns { taskId, status }.',
      inputSchema: {
        taskId,
        token,
        output: input.object('Your result, a JSON object (at most 64 KiB as JSON).'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      runTool(async () => {
        const data = dataOf(
          await gateway.request<{ completeAgentTask: TaskPayload }>(
            `mutation($input: CompleteAgentTaskInput!) { completeAgentTask(input: $input) { task { taskId status } userErrors { code message field } } }`,
            { input: { taskId: args.taskId, token: args.token, output: args.output } },
          ),
        );
        return payloadOf(data.completeAgentTask).task ?? {};
      }),
  );

  server.registerTool(
    'fail_task',
    {
      title: 'Fail a claimed task',
      description:
        'Finishes a claimed task as failed, with your own error code and a message saying why. With retryable true ' +
        '(the default) the engine may offer the step again as a new task; with retryable false the step fails for ' +
        'good and the handoff rolls back. Use it when you cannot do the task, not for a question. Returns { taskId, status, failure }.',
      inputSchema: {
        taskId,
        token,
        code: input.text('Your error code: letters, digits or _ . : - (e.g. "MISSING_DATA").', 100),
        message: input.text('What went wrong, for the people reading the handoff.', 2000),
        retryable: input.flag('False when another attempt cannot help (default true).').optional(),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      runTool(async () => {
        const data = dataOf(
          await gateway.request<{ failAgentTask: TaskPayload }>(
            `mutation($input: FailAgentTaskInput!) { failAgentTask(input: $input) { task { taskId status failure { code message retryable } } userErrors { code message field } } }`,
            {
              input: {
                taskId: args.taskId,
                token: args.token,
                code: args.code,
                message: args.message,
                retryable: args.retryable ?? true,
              },
            },
          ),
        );
        return payloadOf(data.failAgentTask).task ?? {};
      }),
  );
}
