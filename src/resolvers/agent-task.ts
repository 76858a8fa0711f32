import { GraphQLError } from 'graphql';
import { AgentRef } from '../schema/agent.js';
import {
  AgentTaskConnection,
  AgentTaskPayload,
  AgentTaskRef,
  AgentTaskStatusEnum,
  AskAgentTaskInput,
  ClaimAgentTaskInput,
  ClaimAgentTaskPayload,
  CompleteAgentTaskInput,
  FailAgentTaskInput,
  HeartbeatAgentTaskInput,
} from '../schema/agent-task.js';
import { builder } from '../schema/builder.js';
import { pageArgs } from '../schema/connection.js';
import { HandoffRef } from '../schema/handoff.js';
import { actorOf } from './actor.js';
import { connectionFromPage, pageRequest } from './connection.js';
import { toAuthorizedPayload } from './payload.js';

builder.objectFields(AgentTaskRef, (t) => ({
  handoff: t.field({
    type: HandoffRef,
    nullable: true,
    description: 'The handoff it belongs to; null once retention deleted it (HANDOFF_RETENTION_MINUTES).',
    resolve: (task, _args, context) => context.loaders.handoffs.load(task.handoffId),
  }),
  agent: t.field({
    type: AgentRef,
    nullable: true,
    description: 'The agent it is offered to; null when not registered.',
    resolve: (task, _args, context) => context.loaders.agents.load(task.agentId),
  }),
}));

builder.objectFields(HandoffRef, (t) => ({
  openAgentTasks: t.field({
    type: [AgentTaskRef],
    description:
      'The tasks of this handoff its agents can still act on (OFFERED or CLAIMED), each with the question its worker asked, if any.',
    authScopes: { viewer: true },
    resolve: (handoff, _args, context) => context.engine.agentTasks.openOf(handoff.id),
  }),
}));

builder.objectFields(AgentRef, (t) => ({
  tasks: t.field({
    type: AgentTaskConnection,
    description: 'Tasks offered to this agent, newest first: with status [OFFERED], what its workers may claim now.',
    authScopes: (agent) => ({ viewer: true, actingAgent: agent.id }),
    args: {
      ...pageArgs(t.arg),
      status: t.arg({ type: [AgentTaskStatusEnum], required: false, description: 'Only tasks in these statuses.' }),
    },
    resolve: (agent, args, context) => {
      const filter = { agentId: agent.id, statuses: args.status ?? undefined };
      return connectionFromPage(
        () => context.engine.agentTasks.page(filter, pageRequest(args)),
        () => context.engine.agentTasks.count(filter),
      );
    },
  }),
}));

builder.queryFields((t) => ({
  agentTask: t.field({
    type: AgentTaskRef,
    nullable: true,
    description: 'One agent task by id; null when unknown.',
    authScopes: { viewer: true, agent: true },
    args: { taskId: t.arg.id({ required: true, description: 'The task id.' }) },
    resolve: async (_root, args, context) => {
      const task = await context.engine.agentTasks.get(args.taskId);
      // An agent's key reads its own agent's tasks only.
      if (task && context.caller?.role === 'agent' && task.agentId !== context.caller.agentId) {
        throw new GraphQLError('Your API key does not allow this operation', { extensions: { code: 'FORBIDDEN' } });
      }
      return task;
    },
  }),
}));

builder.mutationFields((t) => ({
  claimAgentTask: t.field({
    type: ClaimAgentTaskPayload,
    description:
      'Claims an OFFERED task for one worker: of several claims, exactly one wins. Its token proves the claim from then on.',
    authScopes: { operator: true, agent: true },
    args: { input: t.arg({ type: ClaimAgentTaskInput, required: true, description: 'Which task.' }) },
    resolve: async (_root, { input }, context) =>
      toAuthorizedPayload(await context.engine.agentTasks.claim(input.taskId, actorOf(context))),
  }),
  heartbeatAgentTask: t.field({
    type: AgentTaskPayload,
    description:
      'Tells the engine a claimed task is still being worked on, with optional progress; needed within heartbeatTimeoutMs when the step sets one.',
    authScopes: { operator: true, agent: true },
    args: {
      input: t.arg({ type: HeartbeatAgentTaskInput, required: true, description: 'Which task, and the claim token.' }),
    },
    resolve: async (_root, { input }, context) =>
      toAuthorizedPayload(
        await context.engine.agentTasks.heartbeat(input.taskId, input.token, input.progress ?? null, actorOf(context)),
      ),
  }),
  completeAgentTask: t.field({
    type: AgentTaskPayload,
    description:
      'Completes a claimed task: its step succeeds with the output. Refused (TASK_NOT_CURRENT) once the task was taken back; sending it again with the same token is safe.',
    authScopes: { operator: true, agent: true },
    args: {
      input: t.arg({
        type: CompleteAgentTaskInput,
        required: true,
        description: 'Which task, the claim token and the output.',
      }),
    },
    resolve: async (_root, { input }, context) =>
      toAuthorizedPayload(
        await context.engine.agentTasks.complete(
          input.taskId,
          input.token,
          (input.output ?? null) as Record<string, unknown> | null,
          actorOf(context),
        ),
      ),
  }),
  askAgentTask: t.field({
    type: AgentTaskPayload,
    description:
      "Asks a question about a claimed task: its step stays WAITING until signalHandoff on the step answers (the answer is then on the task and in the agent's feed). Counts as a heartbeat.",
    authScopes: { operator: true, agent: true },
    args: {
      input: t.arg({
        type: AskAgentTaskInput,
        required: true,
        description: 'Which task, the claim token, the question.',
      }),
    },
    resolve: async (_root, { input }, context) =>
      toAuthorizedPayload(
        await context.engine.agentTasks.ask(
          input.taskId,
          input.token,
          { text: input.question, data: input.data ?? null },
          actorOf(context),
        ),
      ),
  }),
  failAgentTask: t.field({
    type: AgentTaskPayload,
    description:
      "Fails a claimed task: the attempt fails and is retried within the step's policy, unless retryable is false.",
    authScopes: { operator: true, agent: true },
    args: {
      input: t.arg({
        type: FailAgentTaskInput,
        required: true,
        description: 'Which task, the claim token and the error.',
      }),
    },
    resolve: async (_root, { input }, context) =>
      toAuthorizedPayload(
        await context.engine.agentTasks.fail(
          input.taskId,
          input.token,
          { code: input.code, message: input.message, retryable: input.retryable ?? true },
          actorOf(context),
        ),
      ),
  }),
}));
