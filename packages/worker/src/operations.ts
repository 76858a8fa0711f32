/** The GraphQL operations a worker sends (see the server's schema for every field). */

export const FEED = `subscription WorkerFeed($agentId: ID!, $after: Int) {
  agentFeed(agentId: $agentId, after: $after) {
    seq type at handoffId taskId step
    task { taskId status }
  }
}`;

export const FEED_ENTRY_AT = `query WorkerFeedEntry($agentId: ID!, $after: Int) {
  agent(id: $agentId) { feed(after: $after, limit: 1) { seq at } }
}`;

export const AGENT_HEARTBEAT = `mutation WorkerAgentHeartbeat($id: ID!) {
  agentHeartbeat(input: { id: $id, status: READY }) { userErrors { code message } }
}`;

export const REGISTER_AGENT = `mutation WorkerRegisterAgent($input: RegisterAgentInput!) {
  registerAgent(input: $input) { userErrors { code message } }
}`;

export const INBOX = `query WorkerInbox($agentId: ID!, $after: String) {
  agent(id: $agentId) {
    inbox(first: 20, after: $after) {
      edges { node { handoffId values digest acknowledged withdrawnAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

export const ACKNOWLEDGE = `mutation WorkerAcknowledge($input: AcknowledgeDeliveryInput!) {
  acknowledgeDelivery(input: $input) { userErrors { code message } }
}`;

const TASK_FIELDS = 'taskId handoffId step name attempt compensation input heartbeatTimeoutMs deadlineAt status';

export const CLAIM = `mutation WorkerClaim($taskId: ID!) {
  claimAgentTask(input: { taskId: $taskId }) { token task { ${TASK_FIELDS} } userErrors { code message } }
}`;

export const HEARTBEAT = `mutation WorkerTaskHeartbeat($input: HeartbeatAgentTaskInput!) {
  heartbeatAgentTask(input: $input) { userErrors { code message } }
}`;

export const COMPLETE = `mutation WorkerComplete($input: CompleteAgentTaskInput!) {
  completeAgentTask(input: $input) { userErrors { code message } }
}`;

export const FAIL = `mutation WorkerFail($input: FailAgentTaskInput!) {
  failAgentTask(input: $input) { userErrors { code message } }
}`;

export interface UserError {
  code: string;
  message: string;
}
