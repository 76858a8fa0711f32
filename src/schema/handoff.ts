import {
  HANDOFF_STATUSES,
  HANDOFF_TYPES,
  type Handoff,
  PRIORITIES,
  STEP_STATUSES,
  type StepRun,
} from '../engine/kernel/handoff/handoff.js';
import { HANDOFF_EVENT_TYPES, type HandoffEvent } from '../engine/kernel/handoff/handoff-event.js';
import { SIGNAL_OUTCOMES } from '../engine/kernel/handoff/step-signal.js';
import { builder } from './builder.js';
import { connectionType } from './connection.js';
import { enumValues } from './enum-values.js';
import { StepKindEnum } from './enums.js';
import { AgentRoleFilterInput, MetadataEqualsInput, TimeRangeInput } from './handoff-filter.js';
import type { LoadNodes } from './load-nodes.js';
import { HandoffParentRef, StepBranchRef } from './step-graph.js';

const STATUS_DOCS: Record<(typeof HANDOFF_STATUSES)[number], string> = {
  PENDING:
    "Queued: not started yet (gates not checked), or resumed or retried and waiting for its turn (or for its step's retry back-off).",
  RUNNING: 'Executing a step.',
  WAITING: 'Waiting for signalHandoff on an AWAIT_SIGNAL step, or for an agent on an AGENT_TASK step.',
  PAUSED:
    'Stopped between steps by pauseHandoff: nothing starts, and its retry back-off and deadline do not run, until resumeHandoff (or cancelHandoff). Survives restarts.',
  COMPLETED: 'Every step succeeded. Final.',
  FAILED: 'Failed with nothing to undo (gates failed, or no completed step had a compensation). Final.',
  ROLLING_BACK: 'A step failed for good (or a cancel arrived): compensations are running in reverse order.',
  ROLLED_BACK: 'Failed, and every completed step was undone. Final.',
  ROLLBACK_FAILED: 'Failed, and at least one compensation failed too: needs a person. Final.',
  CANCELLED:
    'Cancelled by cancelHandoff or by its deadline (errorCode DEADLINE_EXCEEDED); completed steps were undone. Final.',
};

export const HandoffStatusEnum = builder.enumType('HandoffStatus', {
  description: 'Where a handoff is in its life.',
  values: enumValues(HANDOFF_STATUSES, STATUS_DOCS),
});

const TYPE_DOCS: Record<(typeof HANDOFF_TYPES)[number], string> = {
  PHASE_TRANSITION: 'Work moves from one phase to the next.',
  AGENT_HANDOFF: 'A task moves from one agent to another.',
  TASK_DELEGATION: 'An agent delegates part of its task and stays responsible.',
  ESCALATION: 'Work moves to a more capable agent or a person.',
  RECOVERY: 'Work moves away from a failed agent.',
};

export const HandoffTypeEnum = builder.enumType('HandoffType', {
  description: 'What kind of transfer a handoff is.',
  values: enumValues(HANDOFF_TYPES, TYPE_DOCS),
});

export const PriorityEnum = builder.enumType('HandoffPriority', {
  description: 'Queue order when more handoffs are waiting than may run at once (higher first, then older first).',
  values: enumValues(PRIORITIES, {
    LOW: 'Runs after every waiting handoff of higher priority (reliability tests use it).',
    MEDIUM: 'The default.',
    HIGH: 'Runs before MEDIUM and LOW.',
    CRITICAL: 'Runs first.',
  }),
});

const STEP_STATUS_DOCS: Record<(typeof STEP_STATUSES)[number], string> = {
  PENDING: 'Not started, or waiting for its next attempt (see retryAt).',
  RUNNING: 'An attempt is running.',
  WAITING: 'Waiting for signalHandoff (AWAIT_SIGNAL) or for an agent to complete its task (AGENT_TASK).',
  SUCCEEDED: 'Done.',
  FAILED: 'Failed for good (attempts exhausted, or cancelled).',
  COMPENSATING: 'Its compensation is running.',
  COMPENSATED: 'Undone by its compensation.',
  COMPENSATION_FAILED: 'Its compensation failed.',
  SKIPPED:
    'Never ran: its condition (when) was false, or what it waited for was skipped or cancelled so its join could not be met. skipReason says which.',
  CANCELLED:
    'Stopped, or never started, because nothing needed it any more: a join it fed was met (others: CANCEL), or the step it is a branch of ended. skipReason says which.',
};

export const StepStatusEnum = builder.enumType('StepStatus', {
  description: 'Where one step of a handoff is.',
  values: enumValues(STEP_STATUSES, STEP_STATUS_DOCS),
});

const EVENT_DOCS: Record<(typeof HANDOFF_EVENT_TYPES)[number], string> = {
  HANDOFF_CREATED: 'Stored and queued.',
  GATES_PASSED: "The procedure's validation rules passed (warnings, if any, in the message).",
  GATES_FAILED: 'A blocking validation rule failed before any step ran; data.rules names them.',
  HANDOFF_STARTED: 'The first step is about to run.',
  STEP_STARTED: 'An attempt of a step started (attempt says which).',
  STEP_WAITING:
    'An AWAIT_SIGNAL step is waiting for signalHandoff, or an AGENT_TASK step for an agent (its task is being offered).',
  STEP_SIGNALLED: 'An AWAIT_SIGNAL step was approved; actor says who approved it.',
  STEP_SUCCEEDED: 'A step succeeded.',
  STEP_FAILED:
    "An attempt failed or timed out (data.timeout says which); data.code is its failure code (see HandoffStep.errorCode); data.retryable false means it failed for good (a code its retry policy lists, a rejection: actor says who rejected it, an agent's terminal failure).",
  STEP_RETRY_SCHEDULED:
    'Another attempt will run after data.delayMs (data.retryAfterMs when the other side sent Retry-After: the wait it asked for, bounded by the policy maximum).',
  STEP_SKIPPED:
    'A step will not run: its condition was false, or what it waited for was skipped (data.reason says which).',
  STEP_FANNED_OUT:
    'A step that runs once per item read its list (data.items, a path) and added one branch per item (data.branches): steps <id>[0], <id>[1]…, whose events carry their branch.',
  STEP_CANCELLED:
    'A step (or a branch) was stopped or will not start: a join it fed was met and nothing else needs it, or the step it is a branch of ended (data.reason).',
  HANDOFF_INTERRUPTED: 'The runner stopped (a crash or restart) and another run picked the handoff up.',
  HANDOFF_PAUSED: 'pauseHandoff took effect before the next step (or attempt); data.reason and actor say why and who.',
  HANDOFF_RESUMED:
    'resumeHandoff: the handoff goes on where it stopped; data.pausedMs is how long it was paused (its retry back-off and deadline moved on by it).',
  HANDOFF_REDRIVEN:
    'retryHandoff started a new run under the same id (the event and those after it carry the new run number); data.fromStep is where it restarts.',
  ROLLBACK_STARTED: 'A step failed for good or a cancel arrived: completed steps will be undone, latest first.',
  COMPENSATION_STARTED:
    "An attempt of a completed step's compensation started (attempt says which; the step's retry policy bounds them).",
  COMPENSATION_RETRY_SCHEDULED: 'A compensation attempt failed; another will run after data.delayMs.',
  COMPENSATION_SUCCEEDED: 'A compensation undid its step.',
  COMPENSATION_FAILED: 'A compensation failed after its retries.',
  HANDOFF_COMPLETED: 'Final: every step succeeded.',
  HANDOFF_FAILED: 'Final: failed with nothing to undo.',
  HANDOFF_ROLLED_BACK: 'Final: failed, and every completed step was undone.',
  HANDOFF_ROLLBACK_FAILED: 'Final: failed, and a compensation failed too.',
  HANDOFF_CANCELLED: 'Final: cancelled, completed steps undone.',
};

export const HandoffEventTypeEnum = builder.enumType('HandoffEventType', {
  description:
    'What happened. HANDOFF_COMPLETED, HANDOFF_FAILED, HANDOFF_ROLLED_BACK, HANDOFF_ROLLBACK_FAILED and HANDOFF_CANCELLED are final.',
  values: enumValues(HANDOFF_EVENT_TYPES, EVENT_DOCS),
});

export const HandoffStepRef = builder.objectRef<StepRun>('HandoffStep').implement({
  description: 'How one step of a handoff went.',
  fields: (t) => ({
    id: t.exposeString('id', { description: 'The step id from the procedure.' }),
    name: t.exposeString('name', { description: 'Human-readable name.' }),
    kind: t.field({ type: StepKindEnum, description: 'What the step does.', resolve: (s) => s.kind }),
    status: t.field({ type: StepStatusEnum, description: 'Where the step is.', resolve: (s) => s.status }),
    attempts: t.exposeInt('attempts', {
      description: 'Attempts started so far (an attempt interrupted by a restart counts).',
    }),
    compensationAttempts: t.int({
      description:
        "Attempts of the step's compensation started so far (an attempt interrupted by a restart counts); at most the step's retry.maxAttempts.",
      resolve: (s) => s.compensationAttempts ?? 0,
    }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true, description: 'Start of the first attempt.' }),
    finishedAt: t.expose('finishedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it succeeded or failed for good.',
    }),
    error: t.exposeString('error', {
      nullable: true,
      description: 'The last failure, if any (kept after a later success).',
    }),
    errorCode: t.string({
      nullable: true,
      description:
        "The code of the last failure: HTTP_<status> (a webhook's answer), TIMEOUT, VALIDATION_FAILED (the step's post-step rules), VALIDATE_STEP_FAILED (a VALIDATE step's rules; retried by default, as the state they check may change), REJECTED (a signal), INTERRUPTED (a restart), CANCELLED, an agent's own code (an AGENT_TASK failed by its worker), ERROR (anything else)… A retry policy's nonRetryableCodes name them.",
      resolve: (s) => s.errorCode ?? null,
    }),
    retryAt: t.expose('retryAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the next attempt is due, while a retry waits.',
    }),
    output: t.expose('output', {
      type: 'JSON',
      nullable: true,
      description:
        "What the step produced, e.g. transferred keys and their digest; a step run once per item: its branches' results.",
    }),
    skipReason: t.string({
      nullable: true,
      description: 'Why it was SKIPPED or CANCELLED.',
      resolve: (s) => s.skipReason ?? null,
    }),
    branch: t.field({
      type: StepBranchRef,
      nullable: true,
      description: 'Set on a branch of a step run once per item (its id is <step>[<index>]): which item.',
      resolve: (s) => s.branch ?? null,
    }),
    branches: t.int({
      nullable: true,
      description: 'Set on a step run once per item once it read its list: how many branches it has.',
      resolve: (s) => s.fanOut?.branches ?? null,
    }),
  }),
});

export const HandoffEventRef = builder.objectRef<HandoffEvent>('HandoffEvent').implement({
  description: "One entry of a handoff's append-only history.",
  fields: (t) => ({
    seq: t.exposeInt('seq', { description: 'Position in the history: 1, 2, 3… with no gaps, across every run.' }),
    run: t.int({
      description: 'The run it belongs to: 1, then one more after each retryHandoff.',
      resolve: (e) => e.run ?? 1,
    }),
    handoffId: t.exposeString('handoffId', { description: 'The handoff (its handoffId).' }),
    type: t.field({ type: HandoffEventTypeEnum, description: 'What happened.', resolve: (e) => e.type }),
    step: t.exposeString('step', {
      nullable: true,
      description: "The step id it is about, if any (a branch's: <step>[<index>]).",
    }),
    branch: t.int({
      nullable: true,
      description: 'For an event about a branch of a step run once per item: its index (its lane in a timeline).',
      resolve: (e) => e.branch ?? null,
    }),
    status: t.field({
      type: HandoffStatusEnum,
      description: "The handoff's status right after this event.",
      resolve: (e) => e.status,
    }),
    message: t.exposeString('message', { description: 'What happened, in words.' }),
    attempt: t.int({
      nullable: true,
      description: 'The attempt number, for step events.',
      resolve: (e) => e.attempt ?? null,
    }),
    durationMs: t.int({
      nullable: true,
      description: 'How long the attempt or compensation took.',
      resolve: (e) => e.durationMs ?? null,
    }),
    data: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Details (e.g. failing rules, retry delay).',
      resolve: (e) => e.data ?? null,
    }),
    at: t.expose('at', { type: 'DateTime', description: 'When it was recorded.' }),
    isTest: t.boolean({ description: 'True for reliability-test traffic.', resolve: (e) => e.testId !== null }),
  }),
});

export const SignalOutcomeEnum = builder.enumType('SignalOutcome', {
  description: 'What a signal decides for the AWAIT_SIGNAL step it names.',
  values: enumValues(SIGNAL_OUTCOMES, {
    APPROVE: 'The step succeeds with the payload as its output.',
    REJECT: 'The step fails for good (no retry, whatever its policy) and the handoff rolls back; a reason is required.',
  }),
});

export const HandoffRef = builder.objectRef<Handoff>('Handoff');

export const HandoffFilterInput = builder.inputType('HandoffFilter', {
  description: 'Narrows a handoff list. Fields combine with AND; list values with OR.',
  fields: (t) => ({
    status: t.field({ type: [HandoffStatusEnum], required: false, description: 'Any of these statuses.' }),
    procedureId: t.idList({ required: false, description: 'Any of these procedures (plain or global ids).' }),
    handoffType: t.field({ type: [HandoffTypeEnum], required: false, description: 'Any of these types.' }),
    agent: t.id({
      required: false,
      description: 'Handoffs where this agent (plain or global id) is the source or the target.',
    }),
    includeTests: t.boolean({ required: false, description: 'Include reliability-test traffic (default false).' }),
    testId: t.id({ required: false, description: 'Only the handoffs of this reliability test (plain or global id).' }),
    createdAt: t.field({ type: TimeRangeInput, required: false, description: 'Initiated within this span.' }),
    updatedAt: t.field({
      type: TimeRangeInput,
      required: false,
      description: 'Latest transition stored within this span.',
    }),
    waitingLongerThanSeconds: t.int({
      required: false,
      description:
        'PENDING or WAITING, with no transition stored for longer than this many seconds: queued, or waiting for a signal or an agent, that long. Narrows status to PENDING and WAITING.',
    }),
    retrying: t.boolean({
      required: false,
      description:
        'true: only handoffs with a step that is retrying (a retry is scheduled, or a second or later attempt runs); false: only those without.',
    }),
    agentRole: t.field({
      type: AgentRoleFilterInput,
      required: false,
      description: "The source's or target's role (a capability in the agent registry).",
    }),
    metadata: t.field({
      type: [MetadataEqualsInput],
      required: false,
      description: 'Every one must hold (at most 16).',
    }),
  }),
});

/** Declares Handoff a node (fetchable by global id); the resolvers layer supplies how handoffs are loaded. */
export function implementHandoffNode(loadMany: LoadNodes<Handoff>) {
  builder.node(HandoffRef, {
    description: 'One run of a procedure that hands work from a source agent or phase to a target.',
    id: { resolve: (h) => h.id, description: 'Global id. `handoff(id:)` also accepts the plain handoffId.' },
    loadMany,
    isTypeOf: (value) =>
      typeof value === 'object' && value !== null && 'procedureVersion' in value && 'currentStep' in value,
  });
}

builder.objectFields(HandoffRef, (t) => ({
  handoffId: t.exposeString('id', {
    description: "The client's idempotency key: initiating it again returns this handoff.",
  }),
  status: t.field({ type: HandoffStatusEnum, description: 'Where the handoff is.', resolve: (h) => h.status }),
  handoffType: t.field({
    type: HandoffTypeEnum,
    description: 'What kind of transfer this is.',
    resolve: (h) => h.type,
  }),
  priority: t.field({ type: PriorityEnum, description: 'Queue priority.', resolve: (h) => h.priority }),
  procedureId: t.exposeString('procedureId', {
    description: 'The plain id of the procedure it runs (`procedure(id:)` accepts it).',
  }),
  procedureVersion: t.exposeInt('procedureVersion', { description: 'The procedure version this run is pinned to.' }),
  sourcePhase: t.exposeString('sourcePhase', { nullable: true, description: 'The phase work comes from.' }),
  targetPhase: t.exposeString('targetPhase', { nullable: true, description: 'The phase work goes to.' }),
  sourceAgent: t.exposeString('sourceAgent', { nullable: true, description: 'Id of the agent handing work over.' }),
  targetAgent: t.exposeString('targetAgent', { nullable: true, description: 'Id of the agent receiving it.' }),
  metadata: t.expose('metadata', {
    type: 'JSON',
    description: "The handoff's context: what TRANSFER_CONTEXT steps hand over and rules inspect.",
  }),
  steps: t.field({
    type: [HandoffStepRef],
    description: 'Every step, in procedure order, then the branches of steps run once per item as they were added.',
    resolve: (h) => h.steps,
  }),
  currentStep: t.field({
    type: HandoffStepRef,
    nullable: true,
    description:
      'The step running or next to run (when several run at once: the one started last); null once all steps are done.',
    resolve: (h) => h.steps[h.currentStep] ?? null,
  }),
  error: t.exposeString('error', { nullable: true, description: 'Why it failed or was cancelled.' }),
  errorCode: t.string({
    nullable: true,
    description:
      "Why it failed or was cancelled, as a code: the failing step's errorCode, GATES_FAILED, CANCELLED, or DEADLINE_EXCEEDED (its deadline passed).",
    resolve: (h) => h.errorCode ?? null,
  }),
  cancelReason: t.exposeString('cancelReason', {
    nullable: true,
    description: 'The reason given to cancelHandoff (or DEADLINE_EXCEEDED: … when its deadline passed).',
  }),
  run: t.int({
    description: 'Run number: 1, then one more after each retryHandoff (events carry theirs).',
    resolve: (h) => h.run ?? 1,
  }),
  deadlineAt: t.field({
    type: 'DateTime',
    nullable: true,
    description:
      'When it is cancelled and rolled back if not finished (DEADLINE_EXCEEDED); moved on by time spent PAUSED. Null: no deadline.',
    resolve: (h) => h.deadlineAt ?? null,
  }),
  pausedAt: t.field({
    type: 'DateTime',
    nullable: true,
    description: 'While PAUSED: since when.',
    resolve: (h) => h.pause?.at ?? null,
  }),
  pauseReason: t.string({
    nullable: true,
    description: 'While PAUSED: the reason given to pauseHandoff.',
    resolve: (h) => h.pause?.reason ?? null,
  }),
  createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was initiated.' }),
  startedAt: t.expose('startedAt', {
    type: 'DateTime',
    nullable: true,
    description: 'When its gates passed (or failed).',
  }),
  finishedAt: t.expose('finishedAt', {
    type: 'DateTime',
    nullable: true,
    description: 'When it reached a final status.',
  }),
  parent: t.field({
    type: HandoffParentRef,
    nullable: true,
    description: 'Set on a sub-handoff: the handoff and the SUB_HANDOFF step that started it.',
    resolve: (h) => h.parent ?? null,
  }),
  lastSeq: t.exposeInt('seq', { description: 'Seq of its latest event: pass it as afterSeq to follow on from here.' }),
  isTest: t.boolean({
    description: 'True for reliability-test traffic (left out of production metrics).',
    resolve: (h) => h.test !== null,
  }),
}));

export const HandoffConnection = connectionType(
  HandoffRef,
  'Handoff',
  'handoffs',
  'A handoff in the list, with its cursor.',
);
