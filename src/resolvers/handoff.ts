import { GraphQLError } from 'graphql';
import { durationMs, isFinal, updatedAtOf } from '../engine/kernel/handoff/handoff.js';
import type { HandoffEvent } from '../engine/kernel/handoff/handoff-event.js';
import { duePause } from '../engine/kernel/handoff/pause-request.js';
import { actorFrom } from '../engine/shared/actor.js';
import { ActorRef } from '../schema/actor.js';
import { AgentRef } from '../schema/agent.js';
import { builder } from '../schema/builder.js';
import { pageArgs } from '../schema/connection.js';
import {
  HandoffConnection,
  HandoffEventRef,
  HandoffFilterInput,
  HandoffRef,
  HandoffStepRef,
  implementHandoffNode,
} from '../schema/handoff.js';
import {
  CancelHandoffInput,
  HandoffPayload,
  InitiateHandoffInput,
  SignalHandoffInput,
} from '../schema/handoff-input.js';
import { ProcedureRef } from '../schema/procedure.js';
import { actorOf } from './actor.js';
import '../schema/subscription-root.js';
import { HandoffOrderInput } from '../schema/handoff-filter.js';
import { streamStart, withEventId, withEventMark } from './event-ids.js';
import { handoffConnection, toHandoffOrder, toHandoffQuery } from './handoff-list.js';
import { optionalPlainId, plainId } from './ids.js';
import { toAuthorizedPayload, toPayload } from './payload.js';

const MAX_EVENTS_PER_READ = 1_000;

builder.objectFields(HandoffRef, (t) => ({
  source: t.field({
    type: AgentRef,
    nullable: true,
    description: 'The source agent from the registry; null when unregistered or not given.',
    resolve: (handoff, _args, context) =>
      handoff.sourceAgent ? context.loaders.agents.load(handoff.sourceAgent) : null,
  }),
  target: t.field({
    type: AgentRef,
    nullable: true,
    description: 'The target agent from the registry; null when unregistered or not given.',
    resolve: (handoff, _args, context) =>
      handoff.targetAgent ? context.loaders.agents.load(handoff.targetAgent) : null,
  }),
  procedure: t.field({
    type: ProcedureRef,
    nullable: true,
    description:
      'The procedure (its current version; see procedureVersion for the one this run uses). Null if it was deleted.',
    resolve: (handoff, _args, context) => context.loaders.procedures.load(handoff.procedureId),
  }),
  procedureAtVersion: t.field({
    type: ProcedureRef,
    nullable: true,
    description:
      'The procedure as this run uses it (version procedureVersion): each step’s params are what the step was given. Null if it was deleted.',
    resolve: (handoff, _args, context) =>
      context.engine.procedures.getVersion(handoff.procedureId, handoff.procedureVersion),
  }),
  events: t.field({
    type: [HandoffEventRef],
    description: 'Stored history after `afterSeq`, oldest first.',
    args: {
      afterSeq: t.arg.int({ required: false, defaultValue: 0, description: 'Only events with a larger seq.' }),
      limit: t.arg.int({
        required: false,
        defaultValue: 200,
        description: `At most this many (1–${MAX_EVENTS_PER_READ}).`,
      }),
    },
    resolve: (handoff, args, context) => {
      const limit = args.limit ?? 200;
      if (limit < 1 || limit > MAX_EVENTS_PER_READ) {
        throw new GraphQLError(`limit must be between 1 and ${MAX_EVENTS_PER_READ}`, {
          extensions: { code: 'BAD_USER_INPUT' },
        });
      }
      return context.engine.handoffs.history(handoff.id, Math.max(0, args.afterSeq ?? 0), limit);
    },
  }),
}));

builder.queryFields((t) => ({
  handoff: t.field({
    type: HandoffRef,
    nullable: true,
    description: 'One handoff by its handoffId or global id; null when unknown.',
    authScopes: { viewer: true },
    args: { id: t.arg.id({ required: true, description: 'handoffId or global id.' }) },
    resolve: (_root, args, context) => context.engine.handoffs.get(plainId(String(args.id), 'Handoff')),
  }),
  handoffs: t.field({
    type: HandoffConnection,
    description:
      'Handoffs matching the filter, newest first unless orderBy says otherwise. Reliability-test traffic is left out unless filter.includeTests or filter.testId.',
    authScopes: { viewer: true },
    args: {
      ...pageArgs(t.arg),
      filter: t.arg({ type: HandoffFilterInput, required: false, description: 'Narrow the list.' }),
      orderBy: t.arg({
        type: HandoffOrderInput,
        required: false,
        description: 'Sort order (default CREATED_AT DESC). Cursors belong to their order.',
      }),
    },
    resolve: (_root, args, context) =>
      handoffConnection(context, toHandoffQuery(args.filter), args, toHandoffOrder(args.orderBy)),
  }),
}));

builder.mutationFields((t) => ({
  initiateHandoff: t.field({
    type: HandoffPayload,
    description: 'Stores and queues a handoff. Returns at once (PENDING); follow it with handoffProgress.',
    authScopes: { operator: true },
    args: { input: t.arg({ type: InitiateHandoffInput, required: true, description: 'What to hand over.' }) },
    resolve: async (_root, { input }, context) =>
      toPayload(
        await context.engine.handoffs.initiate({
          ...input,
          handoffId: optionalPlainId(input.handoffId, 'Handoff'),
          procedureId: plainId(String(input.procedureId), 'Procedure'),
          sourceAgent: optionalPlainId(input.sourceAgent, 'Agent'),
          targetAgent: optionalPlainId(input.targetAgent, 'Agent'),
          metadata: input.metadata as Record<string, unknown> | null | undefined,
        }),
      ),
  }),
  cancelHandoff: t.field({
    type: HandoffPayload,
    description: 'Aborts the running step, then rolls back completed steps; ends CANCELLED (or ROLLBACK_FAILED).',
    authScopes: { operator: true },
    args: { input: t.arg({ type: CancelHandoffInput, required: true, description: 'Which one.' }) },
    resolve: async (_root, { input }, context) =>
      toPayload(
        await context.engine.handoffs.cancel(
          plainId(String(input.id), 'Handoff'),
          (input.reason ?? 'cancelled by request').slice(0, 500),
        ),
      ),
  }),
  signalHandoff: t.field({
    type: HandoffPayload,
    description:
      "Approves an AWAIT_SIGNAL step (it proceeds) or rejects it (it fails for good and the handoff rolls back). It may arrive before the step starts waiting. Its events record who signalled. On an AGENT_TASK step whose agent asked a question (AgentTask.question; an A2A agent's input-required) it is the answer: APPROVE hands the payload to the agent, REJECT ends the task and fails the step for good. An agent key signals only handoffs its agent is part of.",
    authScopes: { operator: true, agent: true },
    args: { input: t.arg({ type: SignalHandoffInput, required: true, description: 'The signal.' }) },
    resolve: async (_root, { input }, context) =>
      toAuthorizedPayload(
        await context.engine.handoffs.signal(plainId(String(input.id), 'Handoff'), input.step, input.payload ?? null, {
          outcome: input.outcome ?? 'APPROVE',
          reason: input.reason?.slice(0, 500) ?? null,
          actor: actorOf(context),
        }),
      ),
  }),
}));

builder.subscriptionFields((t) => ({
  handoffProgress: t.field({
    type: HandoffEventRef,
    description:
      'Replays stored events after afterSeq, then streams live ones with no gap and no duplicate; completes after the final event.',
    authScopes: { viewer: true },
    args: {
      id: t.arg.id({ required: true, description: 'handoffId or global id.' }),
      afterSeq: t.arg.int({
        required: false,
        defaultValue: 0,
        description: 'Last seq already seen (0 = from the start).',
      }),
    },
    subscribe: async (_root, args, context) => {
      const id = plainId(String(args.id), 'Handoff');
      if (!(await context.engine.handoffs.get(id))) {
        throw new GraphQLError(`No handoff with id "${id}"`, { extensions: { code: 'NOT_FOUND' } });
      }
      return context.engine.handoffs.progress(id, streamStart(args.afterSeq, context));
    },
    resolve: (event: HandoffEvent, _args, context) => withEventId(context, event.seq, event),
  }),
  handoffEvents: t.field({
    type: HandoffEventRef,
    description: 'Every handoff event as it happens (for dashboards). Live only; use handoff.events for history.',
    authScopes: { viewer: true },
    args: {
      includeTests: t.arg.boolean({
        required: false,
        defaultValue: false,
        description: 'Include reliability-test traffic.',
      }),
    },
    subscribe: (_root, args, context) => context.engine.handoffs.live(args.includeTests ?? false),
    resolve: (event: HandoffEvent, _args, context) => withEventMark(context, event),
  }),
}));

implementHandoffNode((ids, context) => context.engine.handoffs.getMany(ids));

builder.objectFields(HandoffRef, (t) => ({
  durationMs: t.int({
    nullable: true,
    description: 'finishedAt − startedAt.',
    resolve: (handoff) => durationMs(handoff),
  }),
  updatedAt: t.field({
    type: 'DateTime',
    description:
      'When its latest change (a step, a pause, a retry…) was stored: what handoffs(orderBy: UPDATED_AT) sorts on. For a handoff stored before this was kept: its finishedAt, startedAt or createdAt, until it next changes.',
    resolve: (handoff) => updatedAtOf(handoff),
  }),
  pauseRequestedAt: t.field({
    type: 'DateTime',
    nullable: true,
    description:
      'When pauseHandoff asked for a pause that has not taken effect yet: it takes effect before the next step or attempt (a queued handoff pauses at once, so this is set only while an attempt is in flight). Null when none is pending, and while PAUSED (see pausedAt).',
    resolve: async (handoff, _args, context) => {
      if (handoff.status === 'PAUSED' || isFinal(handoff.status)) return null;
      return duePause(handoff, await context.engine.handoffs.pauseRequestOf(handoff.id))?.at ?? null;
    },
  }),
}));

builder.objectFields(HandoffStepRef, (t) => ({
  durationMs: t.int({ nullable: true, description: 'finishedAt − startedAt.', resolve: (step) => durationMs(step) }),
}));

builder.objectFields(HandoffEventRef, (t) => ({
  actor: t.field({
    type: ActorRef,
    nullable: true,
    description:
      'Who caused it through the API (the signal that approved or rejected a step); null for what the engine did on its own.',
    resolve: (event) => actorFrom(event.data?.actor),
  }),
}));
