"""The GraphQL operations a worker sends (the same as the TypeScript worker's)."""

FEED = """subscription WorkerFeed($agentId: ID!, $after: Int) {
  agentFeed(agentId: $agentId, after: $after) { seq type at handoffId taskId step task { taskId status } }
}"""

FEED_ENTRY_AT = """query WorkerFeedEntry($agentId: ID!, $after: Int) {
  agent(id: $agentId) { feed(after: $after, limit: 1) { seq at } }
}"""

AGENT_HEARTBEAT = """mutation WorkerAgentHeartbeat($id: ID!) {
  agentHeartbeat(input: { id: $id, status: READY }) { userErrors { code message } }
}"""

REGISTER_AGENT = """mutation WorkerRegisterAgent($input: RegisterAgentInput!) {
  registerAgent(input: $input) { userErrors { code message } }
}"""

INBOX = """query WorkerInbox($agentId: ID!, $after: String) {
  agent(id: $agentId) {
    inbox(first: 20, after: $after) {
      edges { node { handoffId values digest acknowledged withdrawnAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""

ACKNOWLEDGE = """mutation WorkerAcknowledge($input: AcknowledgeDeliveryInput!) {
  acknowledgeDelivery(input: $input) { userErrors { code message } }
}"""

_TASK = "taskId handoffId step name attempt compensation input heartbeatTimeoutMs deadlineAt status"

CLAIM = f"""mutation WorkerClaim($taskId: ID!) {{
  claimAgentTask(input: {{ taskId: $taskId }}) {{ token task {{ {_TASK} }} userErrors {{ code message }} }}
}}"""

HEARTBEAT = """mutation WorkerTaskHeartbeat($input: HeartbeatAgentTaskInput!) {
  heartbeatAgentTask(input: $input) { userErrors { code message } }
}"""

COMPLETE = """mutation WorkerComplete($input: CompleteAgentTaskInput!) {
  completeAgentTask(input: $input) { userErrors { code message } }
}"""

FAIL = """mutation WorkerFail($input: FailAgentTaskInput!) {
  failAgentTask(input: $input) { userErrors { code message } }
}"""
