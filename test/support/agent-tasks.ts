import type { GraphQLApi } from './server.js';

export const TASK_FIELDS = `taskId handoffId step attempt agentId status input heartbeatTimeoutMs claimedBy output
  failure { code message retryable } withdrawnCause withdrawnReason`;

type Headers = Record<string, string>;

async function call(server: GraphQLApi, query: string, variables: Record<string, unknown>, headers?: Headers) {
  const response = await server.gql(query, variables, headers);
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data;
}

/** The agent's tasks in these statuses, newest first (ids and where they are; see taskById for the rest). */
export async function tasksOf(
  server: GraphQLApi,
  agentId: string,
  status: string[] = ['OFFERED'],
  headers?: Headers,
): Promise<any[]> {
  const data = await call(
    server,
    `query($id: ID!, $status: [AgentTaskStatus!]) { agent(id: $id) { tasks(status: $status, first: 50) { edges { node { taskId handoffId step attempt status } } } } }`,
    { id: agentId, status },
    headers,
  );
  return data.agent.tasks.edges.map((edge: any) => edge.node);
}

export async function taskById(server: GraphQLApi, taskId: string, headers?: Headers): Promise<any> {
  return (
    await call(server, `query($taskId: ID!) { agentTask(taskId: $taskId) { ${TASK_FIELDS} } }`, { taskId }, headers)
  ).agentTask;
}

/** Waits until a task of `handoffId` matching `where` is offered to the agent (the offer follows STEP_WAITING). */
export async function waitForTask(
  server: GraphQLApi,
  agentId: string,
  handoffId: string,
  where: (task: any) => boolean = () => true,
  headers?: Headers,
): Promise<any> {
  for (;;) {
    const task = (
      await tasksOf(server, agentId, ['OFFERED', 'CLAIMED', 'COMPLETED', 'FAILED', 'WITHDRAWN'], headers)
    ).find((candidate) => candidate.handoffId === handoffId && where(candidate));
    if (task) return taskById(server, task.taskId, headers);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function claimTask(server: GraphQLApi, taskId: string, headers?: Headers) {
  const data = await call(
    server,
    `mutation($taskId: ID!) { claimAgentTask(input: { taskId: $taskId }) { token task { ${TASK_FIELDS} } userErrors { code message field } } }`,
    { taskId },
    headers,
  );
  return data.claimAgentTask as {
    token: string | null;
    task: any;
    userErrors: { code: string; message: string; field: string[] }[];
  };
}

export async function heartbeatTask(
  server: GraphQLApi,
  taskId: string,
  token: string,
  progress: unknown = null,
  headers?: Headers,
) {
  const data = await call(
    server,
    `mutation($input: HeartbeatAgentTaskInput!) { heartbeatAgentTask(input: $input) { task { ${TASK_FIELDS} progress } userErrors { code message } } }`,
    { input: { taskId, token, progress } },
    headers,
  );
  return data.heartbeatAgentTask as { task: any; userErrors: { code: string; message: string }[] };
}

export async function completeTask(
  server: GraphQLApi,
  taskId: string,
  token: string,
  output: unknown,
  headers?: Headers,
) {
  const data = await call(
    server,
    `mutation($input: CompleteAgentTaskInput!) { completeAgentTask(input: $input) { task { ${TASK_FIELDS} } userErrors { code message } } }`,
    { input: { taskId, token, output } },
    headers,
  );
  return data.completeAgentTask as { task: any; userErrors: { code: string; message: string }[] };
}

export async function failTask(
  server: GraphQLApi,
  taskId: string,
  token: string,
  failure: { code: string; message: string; retryable?: boolean },
  headers?: Headers,
) {
  const data = await call(
    server,
    `mutation($input: FailAgentTaskInput!) { failAgentTask(input: $input) { task { ${TASK_FIELDS} } userErrors { code message } } }`,
    { input: { taskId, token, ...failure } },
    headers,
  );
  return data.failAgentTask as { task: any; userErrors: { code: string; message: string }[] };
}
