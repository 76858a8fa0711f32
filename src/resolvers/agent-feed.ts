import { GraphQLError } from 'graphql';
import type { AgentFeedEntry } from '../engine/agents/agent-feed.js';
import { AgentRef } from '../schema/agent.js';
import { AgentFeedEntryRef } from '../schema/agent-feed.js';
import { AgentTaskRef } from '../schema/agent-task.js';
import { builder } from '../schema/builder.js';
import { HandoffRef } from '../schema/handoff.js';
import '../schema/subscription-root.js';
import { streamStart, withEventId } from './event-ids.js';
import { plainId } from './ids.js';

const MAX_ENTRIES_PER_READ = 1_000;

// Read fresh, not through the request's loaders: a subscription keeps one context for all its
// entries, and a loader would answer a later entry with the task as it was at an earlier one.
builder.objectFields(AgentFeedEntryRef, (t) => ({
  handoff: t.field({
    type: HandoffRef,
    nullable: true,
    description: 'The handoff it is about, as it is now; null once retention deleted it (HANDOFF_RETENTION_MINUTES).',
    resolve: (entry, _args, context) => (entry.handoffId ? context.engine.handoffs.get(entry.handoffId) : null),
  }),
  task: t.field({
    type: AgentTaskRef,
    nullable: true,
    description: 'The task it is about, as it is now (its input, heartbeatTimeoutMs, status).',
    resolve: (entry, _args, context) => (entry.taskId ? context.engine.agentTasks.get(entry.taskId) : null),
  }),
}));

builder.objectFields(AgentRef, (t) => ({
  feed: t.field({
    type: [AgentFeedEntryRef],
    description: "The agent's stored feed after `after`, oldest first (agentFeed streams it live).",
    authScopes: (agent) => ({ viewer: true, actingAgent: agent.id }),
    args: {
      after: t.arg.int({ required: false, defaultValue: 0, description: 'Only entries with a larger seq.' }),
      limit: t.arg.int({
        required: false,
        defaultValue: 100,
        description: `At most this many (1–${MAX_ENTRIES_PER_READ}).`,
      }),
    },
    resolve: (agent, args, context) => {
      const limit = args.limit ?? 100;
      if (limit < 1 || limit > MAX_ENTRIES_PER_READ) {
        throw new GraphQLError(`limit must be between 1 and ${MAX_ENTRIES_PER_READ}`, {
          extensions: { code: 'BAD_USER_INPUT' },
        });
      }
      return context.engine.agentFeed.history(agent.id, Math.max(0, args.after ?? 0), limit);
    },
  }),
}));

builder.subscriptionFields((t) => ({
  agentFeed: t.field({
    type: AgentFeedEntryRef,
    description:
      'What concerns one agent: its stored feed after `after`, then live entries as they happen (on any server sharing the store), with no gap and no duplicate; it does not end. To resume after a dropped connection, subscribe again with the last seq you handled.',
    authScopes: (_root, args) => ({ viewer: true, actingAgent: plainId(String(args.agentId), 'Agent') }),
    args: {
      agentId: t.arg.id({ required: true, description: 'Plain or global id of the agent.' }),
      after: t.arg.int({
        required: false,
        defaultValue: 0,
        description: 'Last seq already handled (0 = from the start).',
      }),
    },
    subscribe: (_root, args, context) =>
      context.engine.agentFeed.follow(plainId(String(args.agentId), 'Agent'), streamStart(args.after, context)),
    resolve: (entry: AgentFeedEntry, _args, context) => withEventId(context, entry.seq, entry),
  }),
}));
