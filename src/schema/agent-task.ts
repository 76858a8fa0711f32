import type { UserError } from '../engine/shared/user-error.js';
import {
  AGENT_TASK_STATUSES,
  type AgentTask,
  type AgentTaskAnswer,
  type AgentTaskFailure,
  type AgentTaskQuestion,
  WITHDRAW_CAUSES,
} from '../engine/tasks/agent-task.js';
import { ActorRef } from './actor.js';
import { builder } from './builder.js';
import { connectionType } from './connection.js';
import { enumValues } from './enum-values.js';
import { UserErrorRef } from './user-error.js';

export const AgentTaskStatusEnum = builder.enumType('AgentTaskStatus', {
  description: 'Where an agent task is. OFFERED and CLAIMED are open: the agent can still act on them.',
  values: enumValues(AGENT_TASK_STATUSES, {
    OFFERED: "Waiting for one of the agent's workers to claim it.",
    CLAIMED:
      'A worker holds it (with the token its claim returned) and must heartbeat within heartbeatTimeoutMs, if set.',
    COMPLETED: "The worker completed it; its output is the step's output.",
    FAILED: 'The worker failed it; see failure.',
    WITHDRAWN: 'The engine took it back (see withdrawnCause): a claim, heartbeat or outcome for it is refused.',
  }),
});

export const WithdrawCauseEnum = builder.enumType('AgentTaskWithdrawCause', {
  description: 'Why the engine took an agent task back.',
  values: enumValues(WITHDRAW_CAUSES, {
    STEP_TIMEOUT: "The attempt's step timeout (timeoutMs) ran out first.",
    HEARTBEAT_TIMEOUT: 'The claiming worker sent no heartbeat for heartbeatTimeoutMs: the attempt failed.',
    CANCELLED: 'The handoff was cancelled.',
    SUPERSEDED:
      'Another attempt of the same step replaced it (after a restart, the interrupted attempt counts as failed).',
    SHUTDOWN: 'The server running the handoff stopped; the attempt is retried after restart.',
    HANDOFF_FINISHED: 'The handoff finished while the task was still open (after a crash of the server running it).',
  }),
});

export const AgentTaskFailureRef = builder.objectRef<AgentTaskFailure>('AgentTaskFailure').implement({
  description: 'How a worker failed a task.',
  fields: (t) => ({
    code: t.exposeString('code', { description: "The agent's own error code." }),
    message: t.exposeString('message', { description: 'What went wrong, in words.' }),
    retryable: t.exposeBoolean('retryable', {
      description: 'False: the step failed for good, whatever attempts its retry policy had left.',
    }),
  }),
});

export const AgentTaskQuestionRef = builder.objectRef<AgentTaskQuestion>('AgentTaskQuestion').implement({
  description:
    "What a task's worker asked before it can go on (an A2A agent's input-required). The step stays WAITING until signalHandoff on it answers.",
  fields: (t) => ({
    seq: t.exposeInt('seq', { description: '1, 2, 3… per task: which question of the task this is.' }),
    text: t.exposeString('text', { description: 'The question in words.' }),
    data: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Structured details sent with the question (choices, a form, the data parts of an A2A message).',
      resolve: (question) => question.data ?? null,
    }),
    askedAt: t.expose('askedAt', { type: 'DateTime', description: 'When it was asked.' }),
  }),
});

export const AgentTaskAnswerRef = builder.objectRef<AgentTaskAnswer>('AgentTaskAnswer').implement({
  description: "The answer to a task's question, given with signalHandoff on the task's step.",
  fields: (t) => ({
    seq: t.exposeInt('seq', { description: 'The question it answers.' }),
    outcome: t.exposeString('outcome', {
      description: 'APPROVE: payload goes to the worker; REJECT: the task ends and the step fails for good.',
    }),
    payload: t.field({
      type: 'JSON',
      nullable: true,
      description: "The signal's payload: what the worker hands on (to an A2A agent, as its next message).",
      resolve: (answer) => answer.payload ?? null,
    }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why, for a rejection.' }),
    answeredBy: t.field({
      type: ActorRef,
      nullable: true,
      description: 'Who answered.',
      resolve: (answer) => answer.actor,
    }),
    answeredAt: t.expose('answeredAt', { type: 'DateTime', description: 'When it was answered.' }),
  }),
});

export const AgentTaskRef = builder.objectRef<AgentTask>('AgentTask').implement({
  description:
    'One attempt of an AGENT_TASK step (or compensation), offered to one agent. A worker claims it (and gets a token), may heartbeat, and completes or fails it; one that is no longer current is refused.',
  fields: (t) => ({
    taskId: t.exposeString('id', {
      description: 'The task id: pass it to claimAgentTask and the other task mutations.',
    }),
    handoffId: t.exposeString('handoffId', { description: 'The handoff it belongs to.' }),
    step: t.exposeString('actionId', { description: 'The id of the step (or compensation) it is an attempt of.' }),
    name: t.exposeString('name', { description: 'The step or compensation name.' }),
    compensation: t.exposeBoolean('compensation', {
      description: 'True when it undoes a completed step during a rollback.',
    }),
    attempt: t.exposeInt('attempt', { description: 'Which attempt of the step this is.' }),
    agentId: t.exposeString('agentId', { description: 'The agent it is offered to.' }),
    status: t.field({ type: AgentTaskStatusEnum, description: 'Where the task is.', resolve: (task) => task.status }),
    input: t.field({
      type: 'JSON',
      nullable: true,
      description: "What the procedure gives the agent to work on (the step's params.input).",
      resolve: (task) => task.input ?? null,
    }),
    heartbeatTimeoutMs: t.exposeInt('heartbeatTimeoutMs', {
      nullable: true,
      description:
        'A claimed task with no heartbeat for this long is taken back (a failed attempt); null: no heartbeats needed.',
    }),
    offeredAt: t.expose('offeredAt', { type: 'DateTime', description: 'When it was offered.' }),
    deadlineAt: t.expose('deadlineAt', {
      type: 'DateTime',
      description: "When the attempt's step timeout takes it back, claimed or not.",
    }),
    claimedAt: t.expose('claimedAt', { type: 'DateTime', nullable: true, description: 'When a worker claimed it.' }),
    claimedBy: t.exposeString('claimedBy', { nullable: true, description: "The API key's name that claimed it." }),
    lastHeartbeatAt: t.expose('lastHeartbeatAt', {
      type: 'DateTime',
      nullable: true,
      description: 'The last heartbeat (the claim counts as one).',
    }),
    heartbeatDueAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the next heartbeat is due at the latest, while claimed with a heartbeat timeout.',
      resolve: (task) =>
        task.status === 'CLAIMED' && task.heartbeatTimeoutMs !== null && task.lastHeartbeatAt !== null
          ? task.lastHeartbeatAt + task.heartbeatTimeoutMs
          : null,
    }),
    progress: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The progress details of the last heartbeat.',
      resolve: (task) => task.progress ?? null,
    }),
    finishedAt: t.expose('finishedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was completed, failed or taken back.',
    }),
    output: t.field({
      type: 'JSON',
      nullable: true,
      description: 'What the worker completed it with (the step output).',
      resolve: (task) => task.output,
    }),
    failure: t.field({
      type: AgentTaskFailureRef,
      nullable: true,
      description: 'How the worker failed it.',
      resolve: (task) => task.failure,
    }),
    withdrawnCause: t.field({
      type: WithdrawCauseEnum,
      nullable: true,
      description: 'Why the engine took it back.',
      resolve: (task) => task.withdrawal?.cause ?? null,
    }),
    withdrawnReason: t.string({
      nullable: true,
      description: 'Why the engine took it back, in words.',
      resolve: (task) => task.withdrawal?.reason ?? null,
    }),
    question: t.field({
      type: AgentTaskQuestionRef,
      nullable: true,
      description:
        "The last question its worker asked (askAgentTask; an A2A agent's input-required); waiting for an answer while answer.seq differs.",
      resolve: (task) => task.question,
    }),
    answer: t.field({
      type: AgentTaskAnswerRef,
      nullable: true,
      description: 'The answer to the last question answered (signalHandoff on the step).',
      resolve: (task) => task.answer,
    }),
    waitingForAnswer: t.boolean({
      description: 'True while the worker waits for an answer to its question: signalHandoff on the step gives it.',
      resolve: (task) => task.status === 'CLAIMED' && task.question !== null && task.answer?.seq !== task.question.seq,
    }),
    traceparent: t.exposeString('traceparent', {
      nullable: true,
      description:
        "The W3C trace context of the attempt's span in the handoff's trace (e.g. `00-<trace id>-<span id>-01`), when the server traces handoffs (OTEL_EXPORTER_OTLP_ENDPOINT); null otherwise. A worker that sends it as `traceparent` (or starts its spans under it) shows its work inside the handoff's trace; calls to an A2A agent carry it as that header.",
    }),
  }),
});

export const AgentTaskPayload = builder
  .objectRef<{ value: AgentTask | null; userErrors: UserError[] }>('AgentTaskPayload')
  .implement({
    description: 'The task after a heartbeat, completion or failure, or userErrors (nothing changed).',
    fields: (t) => ({
      task: t.field({
        type: AgentTaskRef,
        nullable: true,
        description: 'The task as stored now; null when userErrors is not empty.',
        resolve: (p) => p.value,
      }),
      userErrors: t.field({
        type: [UserErrorRef],
        description: 'Why nothing changed, e.g. TASK_NOT_CURRENT, INVALID_TOKEN; empty on success.',
        resolve: (p) => p.userErrors,
      }),
    }),
  });

export const ClaimAgentTaskPayload = builder
  .objectRef<{ value: { task: AgentTask; token: string } | null; userErrors: UserError[] }>('ClaimAgentTaskPayload')
  .implement({
    description:
      'A claimed task and its token, or userErrors (TASK_ALREADY_CLAIMED, TASK_NOT_CURRENT, NOT_FOUND; nothing changed).',
    fields: (t) => ({
      task: t.field({
        type: AgentTaskRef,
        nullable: true,
        description: 'The task, now CLAIMED; null when userErrors is not empty.',
        resolve: (p) => p.value?.task ?? null,
      }),
      token: t.string({
        nullable: true,
        description:
          'The claim token: send it with every heartbeat, completion and failure. It is shown this once and kept only as a digest.',
        resolve: (p) => p.value?.token ?? null,
      }),
      userErrors: t.field({
        type: [UserErrorRef],
        description: 'Why the claim was refused; empty on success.',
        resolve: (p) => p.userErrors,
      }),
    }),
  });

export const ClaimAgentTaskInput = builder.inputType('ClaimAgentTaskInput', {
  description: 'Which offered task to claim.',
  fields: (t) => ({ taskId: t.id({ required: true, description: 'The task id.' }) }),
});

export const HeartbeatAgentTaskInput = builder.inputType('HeartbeatAgentTaskInput', {
  description: 'A claimed task is still being worked on.',
  fields: (t) => ({
    taskId: t.id({ required: true, description: 'The task id.' }),
    token: t.string({ required: true, description: 'The token claimAgentTask returned.' }),
    progress: t.field({
      type: 'JSON',
      required: false,
      description: 'Progress details to show (at most 16 KiB as JSON); replaces the last ones.',
    }),
  }),
});

export const CompleteAgentTaskInput = builder.inputType('CompleteAgentTaskInput', {
  description: 'A claimed task is done.',
  fields: (t) => ({
    taskId: t.id({ required: true, description: 'The task id.' }),
    token: t.string({ required: true, description: 'The token claimAgentTask returned.' }),
    output: t.field({
      type: 'JSON',
      required: false,
      description:
        "The result: a JSON object (at most 64 KiB), stored as the step's output, which later steps and validation rules see.",
    }),
  }),
});

export const AskAgentTaskInput = builder.inputType('AskAgentTaskInput', {
  description: 'A claimed task needs an answer before its worker can go on.',
  fields: (t) => ({
    taskId: t.id({ required: true, description: 'The task id.' }),
    token: t.string({ required: true, description: 'The token claimAgentTask returned.' }),
    question: t.string({ required: true, description: 'The question in words (at most 2000 characters).' }),
    data: t.field({
      type: 'JSON',
      required: false,
      description: 'Structured details to show with it (at most 16 KiB as JSON).',
    }),
  }),
});

export const FailAgentTaskInput = builder.inputType('FailAgentTaskInput', {
  description: 'A claimed task could not be done.',
  fields: (t) => ({
    taskId: t.id({ required: true, description: 'The task id.' }),
    token: t.string({ required: true, description: 'The token claimAgentTask returned.' }),
    code: t.string({ required: true, description: 'Your error code (1–100 letters, digits or _ . : -).' }),
    message: t.string({ required: true, description: 'What went wrong (at most 2000 characters).' }),
    retryable: t.boolean({
      required: false,
      defaultValue: true,
      description:
        'Whether another attempt could help (default true). False fails the step for good, whatever its retry policy has left.',
    }),
  }),
});

export const AgentTaskConnection = connectionType(
  AgentTaskRef,
  'AgentTask',
  'tasks',
  'A task in the list, with its cursor.',
);
