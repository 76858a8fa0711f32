import { AGENT_FEED_ENTRY_TYPES, type AgentFeedEntry, type AgentFeedEntryType } from '../engine/agents/agent-feed.js';
import { builder } from './builder.js';
import { enumValues } from './enum-values.js';

const TYPE_DOCS: Record<AgentFeedEntryType, string> = {
  HANDOFF_ASSIGNED:
    'A handoff naming the agent was created; data.role says on which side (SOURCE, TARGET, SOURCE_AND_TARGET).',
  TASK_OFFERED:
    'A task was offered to the agent: claim it with claimAgentTask (data: attempt, heartbeatTimeoutMs, deadlineAt).',
  TASK_CLAIMED: "One of the agent's workers claimed a task (another worker need not try).",
  TASK_COMPLETED: 'A task was completed.',
  TASK_FAILED: 'A task was failed (data: code, retryable).',
  TASK_WITHDRAWN:
    'A task was taken back (data.cause: STEP_TIMEOUT, HEARTBEAT_TIMEOUT, CANCELLED, SUPERSEDED, SHUTDOWN, HANDOFF_FINISHED): stop working on it.',
  TASK_ASKED:
    "A claimed task's worker asked a question (data: seq, text): the step waits until signalHandoff on it answers.",
  TASK_ANSWERED:
    "A task's question was answered through signalHandoff (data: seq, outcome): read the answer on the task.",
  CONTEXT_DELIVERED: "A handoff delivered context keys to the agent's inbox (data: keys, digest).",
  CONTEXT_WITHDRAWN: "A rollback took context keys back from the agent's inbox (data: keys, digest).",
  CONTEXT_ACKNOWLEDGED: 'The agent acknowledged a delivery (data: digest).',
  HANDOFF_FINISHED: 'A handoff naming the agent reached a final status (data: status, role).',
};

export const AgentFeedEntryTypeEnum = builder.enumType('AgentFeedEntryType', {
  description: 'What an agent feed entry tells.',
  values: enumValues(AGENT_FEED_ENTRY_TYPES, TYPE_DOCS),
});

export const AgentFeedEntryRef = builder.objectRef<AgentFeedEntry>('AgentFeedEntry').implement({
  description:
    "One entry of an agent's feed: something that concerns the agent. Numbered 1, 2, 3… per agent with no gaps.",
  fields: (t) => ({
    seq: t.exposeInt('seq', {
      description: 'Position in the feed: keep the last one you handled and pass it as `after` to resume.',
    }),
    agentId: t.exposeString('agentId', { description: 'The agent whose feed this is.' }),
    type: t.field({ type: AgentFeedEntryTypeEnum, description: 'What happened.', resolve: (entry) => entry.type }),
    handoffId: t.exposeString('handoffId', { nullable: true, description: 'The handoff it is about, if any.' }),
    taskId: t.exposeString('taskId', { nullable: true, description: 'The task it is about, if any.' }),
    step: t.exposeString('step', { nullable: true, description: 'The step or compensation id it is about, if any.' }),
    message: t.exposeString('message', { description: 'What happened, in words.' }),
    data: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Details; see AgentFeedEntryType.',
      resolve: (entry) => entry.data ?? null,
    }),
    at: t.expose('at', { type: 'DateTime', description: 'When it was recorded.' }),
  }),
});
