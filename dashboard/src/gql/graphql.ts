/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** What an agent feed entry tells. */
export type AgentFeedEntryType =
  /** The agent acknowledged a delivery (data: digest). */
  | 'CONTEXT_ACKNOWLEDGED'
  /** A handoff delivered context keys to the agent's inbox (data: keys, digest). */
  | 'CONTEXT_DELIVERED'
  /** A rollback took context keys back from the agent's inbox (data: keys, digest). */
  | 'CONTEXT_WITHDRAWN'
  /** A handoff naming the agent was created; data.role says on which side (SOURCE, TARGET, SOURCE_AND_TARGET). */
  | 'HANDOFF_ASSIGNED'
  /** A handoff naming the agent reached a final status (data: status, role). */
  | 'HANDOFF_FINISHED'
  /** A task's question was answered through signalHandoff (data: seq, outcome): read the answer on the task. */
  | 'TASK_ANSWERED'
  /** A claimed task's worker asked a question (data: seq, text): the step waits until signalHandoff on it answers. */
  | 'TASK_ASKED'
  /** One of the agent's workers claimed a task (another worker need not try). */
  | 'TASK_CLAIMED'
  /** A task was completed. */
  | 'TASK_COMPLETED'
  /** A task was failed (data: code, retryable). */
  | 'TASK_FAILED'
  /** A task was offered to the agent: claim it with claimAgentTask (data: attempt, heartbeatTimeoutMs, deadlineAt). */
  | 'TASK_OFFERED'
  /** A task was taken back (data.cause: STEP_TIMEOUT, HEARTBEAT_TIMEOUT, CANCELLED, SUPERSEDED, SHUTDOWN, HANDOFF_FINISHED): stop working on it. */
  | 'TASK_WITHDRAWN';

/** Which side of a handoff an agent is on. */
export type AgentHandoffRole =
  /** Either side. */
  | 'ANY'
  /** The agent hands work over (sourceAgent). */
  | 'SOURCE'
  /** The agent receives the work (targetAgent). */
  | 'TARGET';

/** Handoffs whose agent is registered with a capability (its role), as the registry says now: the role is looked up when the list is read (or, for a bulk action, when it starts), so a re-registered agent's new capabilities apply at once. */
export type AgentRoleFilter = {
  /** The capability, e.g. "planning". */
  role: string;
  /** Which agent of the handoff must have it (default ANY: source or target). */
  side?: AgentHandoffRole | null | undefined;
};

/** What an agent reads as now. A stale heartbeat reads as OFFLINE whatever the agent last reported. */
export type AgentStatus =
  /** Heartbeating but busy: cannot take a handoff now (VR004 fails). */
  | 'BUSY'
  /** Said it is offline, or its last heartbeat is older than the heartbeat window (AGENT_HEARTBEAT_WINDOW_MS). */
  | 'OFFLINE'
  /** Heartbeating and able to take work. */
  | 'READY';

/** What an API key may do. Each role includes the rights of the roles before it, except AGENT, which reaches only its own agent's work. */
export type ApiKeyRole =
  /** Everything, including procedures, validation rules and test configurations. */
  | 'ADMIN'
  /** An agent's key: its own agent's inbox, tasks, feed and handoffs only. */
  | 'AGENT'
  /** Reads, and runs handoffs: start, cancel, signal, and run reliability tests. */
  | 'OPERATOR'
  /** Reads everything; changes nothing. */
  | 'VIEWER';

/** Which advice to take, as a new version of the procedure. */
export type ApplyProcedureAdviceInput = {
  /** The version the advice was read for (procedureAdvice.version): refused if it moved on. */
  expectedVersion: number;
  /** The procedure (plain or global id). */
  procedureId: string;
  /** Only these steps; default every step with advice. */
  stepIds?: Array<string> | null | undefined;
};

/** What a bulk operation does to each handoff it matched. */
export type BulkAction =
  /** cancelHandoff on each: done when the cancel is recorded; skipped when a cancel was already recorded by someone else (or it is CANCELLED); refused when it is finished or rolling back. */
  | 'CANCEL'
  /** pauseHandoff on each, with the reason and the operation id: done when this operation's pause is recorded (taken or still to be taken before the next step); skipped when it is PAUSED already or someone else asked for a pause; refused when it is finished, rolling back or being cancelled. */
  | 'PAUSE'
  /** resumeHandoff on each (a PAUSED one goes on; a pause asked for but not yet taken is withdrawn): done when this operation resumed it (its HANDOFF_RESUMED event, or the withdrawal, carries the operation id); skipped when it is going with no pause to undo; refused when it is finished or rolling back. */
  | 'RESUME'
  /** retryHandoff on each (a new run from the default restart point, as without fromStep): done when this operation redrove it (its HANDOFF_REDRIVEN event carries the reason with the operation id; a handoff it redrove that failed again is not retried twice); skipped when it is already going (PENDING, RUNNING, WAITING or PAUSED, e.g. retried by someone else); refused when it is COMPLETED, CANCELLED, ROLLING_BACK or was cancelled before it failed. */
  | 'RETRY';

/** Where a bulk operation is. */
export type BulkOperationStatus =
  /** Stopped by cancelBulkOperation; the counts say what was done before (handoffs acted on stay as they are). Final. */
  | 'CANCELLED'
  /** Every matched handoff was done, skipped or refused. Final. */
  | 'COMPLETED'
  /** Stopped on an unexpected error (see error); the counts say what was done before. Final. */
  | 'FAILED'
  /** Acting on the matched handoffs, a batch at a time (after a restart, it goes on from the last stored batch). */
  | 'RUNNING';

/** Which handoff to cancel and why. */
export type CancelHandoffInput = {
  /** handoffId or global id. */
  id: string;
  /** Kept on the handoff and in its history. */
  reason?: string | null | undefined;
};

/** A new procedure definition. Checked on write: problems come back as userErrors naming the field. */
export type CreateProcedureInput = {
  /** Severities that block (default [CRITICAL]). */
  blockingSeverities?: Array<ValidationSeverity> | null | undefined;
  /** Overall time limit of each handoff from its creation, time PAUSED excluded (at most 30 days): past it the handoff is cancelled and rolled back with errorCode DEADLINE_EXCEEDED. A handoff may set its own (initiateHandoff deadlineMs). Default: none. */
  deadlineMs?: number | null | undefined;
  /** Procedures this one depends on (plain or global ids). */
  dependencies?: Array<string> | null | undefined;
  /** What the procedure is for. */
  description?: string | null | undefined;
  /** Expected wall time (default: sum of step timeouts). */
  estimatedDurationMs?: number | null | undefined;
  /** Plain id, e.g. MY_PROCEDURE (a global id of the procedure also names it). */
  id: string;
  /** Step attempts of one handoff under way at once, waits included (1–100, default 10). */
  maxParallelSteps?: number | null | undefined;
  /** Human-readable name. */
  name: string;
  /** Agents that must be registered (plain or global ids). */
  requiredAgents?: Array<string> | null | undefined;
  /** Keys the handoff metadata must carry (VR005). */
  requiredContextKeys?: Array<string> | null | undefined;
  /** Steps: in order, unless they say what they wait for (after). */
  steps: Array<ProcedureStepInput>;
  /** Gate rule ids checked before the first step. */
  validationRules?: Array<string> | null | undefined;
};

/** Runs the step once per item of a list. Its params take the item through placeholders, whole values only: "$item", "$item.<field>" (dotted), "$index". Each branch is a step <id>[<index>] with its own attempts, retries, waits, signals and compensation. */
export type ForEachInput = {
  /** A path into the context ("context.reviewers") or into the output of a step this one waits for ("outputs.plan.agents"). */
  items: string;
  /** How many branches must succeed for the step to succeed (default ALL), and what becomes of the others. */
  join?: JoinInput | null | undefined;
  /** Branches at once, 1–100 (default: maxParallelSteps). */
  maxConcurrent?: number | null | undefined;
};

/** What happened. HANDOFF_COMPLETED, HANDOFF_FAILED, HANDOFF_ROLLED_BACK, HANDOFF_ROLLBACK_FAILED and HANDOFF_CANCELLED are final. */
export type HandoffEventType =
  /** A compensation failed after its retries. */
  | 'COMPENSATION_FAILED'
  /** A compensation attempt failed; another will run after data.delayMs. */
  | 'COMPENSATION_RETRY_SCHEDULED'
  /** An attempt of a completed step's compensation started (attempt says which; the step's retry policy bounds them). */
  | 'COMPENSATION_STARTED'
  /** A compensation undid its step. */
  | 'COMPENSATION_SUCCEEDED'
  /** A blocking validation rule failed before any step ran; data.rules names them. */
  | 'GATES_FAILED'
  /** The procedure's validation rules passed (warnings, if any, in the message). */
  | 'GATES_PASSED'
  /** Final: cancelled, completed steps undone. */
  | 'HANDOFF_CANCELLED'
  /** Final: every step succeeded. */
  | 'HANDOFF_COMPLETED'
  /** Stored and queued. */
  | 'HANDOFF_CREATED'
  /** Final: failed with nothing to undo. */
  | 'HANDOFF_FAILED'
  /** The runner stopped (a crash or restart) and another run picked the handoff up. */
  | 'HANDOFF_INTERRUPTED'
  /** pauseHandoff took effect before the next step (or attempt); data.reason and actor say why and who. */
  | 'HANDOFF_PAUSED'
  /** retryHandoff started a new run under the same id (the event and those after it carry the new run number); data.fromStep is where it restarts. */
  | 'HANDOFF_REDRIVEN'
  /** resumeHandoff: the handoff goes on where it stopped; data.pausedMs is how long it was paused (its retry back-off and deadline moved on by it). */
  | 'HANDOFF_RESUMED'
  /** Final: failed, and a compensation failed too. */
  | 'HANDOFF_ROLLBACK_FAILED'
  /** Final: failed, and every completed step was undone. */
  | 'HANDOFF_ROLLED_BACK'
  /** The first step is about to run. */
  | 'HANDOFF_STARTED'
  /** A step failed for good or a cancel arrived: completed steps will be undone, latest first. */
  | 'ROLLBACK_STARTED'
  /** A step (or a branch) was stopped or will not start: a join it fed was met and nothing else needs it, or the step it is a branch of ended (data.reason). */
  | 'STEP_CANCELLED'
  /** An attempt failed or timed out (data.timeout says which); data.code is its failure code (see HandoffStep.errorCode); data.retryable false means it failed for good (a code its retry policy lists, a rejection: actor says who rejected it, an agent's terminal failure). */
  | 'STEP_FAILED'
  /** A step that runs once per item read its list (data.items, a path) and added one branch per item (data.branches): steps <id>[0], <id>[1]…, whose events carry their branch. */
  | 'STEP_FANNED_OUT'
  /** Another attempt will run after data.delayMs (data.retryAfterMs when the other side sent Retry-After: the wait it asked for, bounded by the policy maximum). */
  | 'STEP_RETRY_SCHEDULED'
  /** An AWAIT_SIGNAL step was approved; actor says who approved it. */
  | 'STEP_SIGNALLED'
  /** A step will not run: its condition was false, or what it waited for was skipped (data.reason says which). */
  | 'STEP_SKIPPED'
  /** An attempt of a step started (attempt says which). */
  | 'STEP_STARTED'
  /** A step succeeded. */
  | 'STEP_SUCCEEDED'
  /** An AWAIT_SIGNAL step is waiting for signalHandoff, or an AGENT_TASK step for an agent (its task is being offered). */
  | 'STEP_WAITING';

/** Narrows a handoff list. Fields combine with AND; list values with OR. */
export type HandoffFilter = {
  /** Handoffs where this agent (plain or global id) is the source or the target. */
  agent?: string | null | undefined;
  /** The source's or target's role (a capability in the agent registry). */
  agentRole?: AgentRoleFilter | null | undefined;
  /** Initiated within this span. */
  createdAt?: TimeRange | null | undefined;
  /** Any of these types. */
  handoffType?: Array<HandoffType> | null | undefined;
  /** Include reliability-test traffic (default false). */
  includeTests?: boolean | null | undefined;
  /** Every one must hold (at most 16). */
  metadata?: Array<MetadataEquals> | null | undefined;
  /** Any of these procedures (plain or global ids). */
  procedureId?: Array<string> | null | undefined;
  /** true: only handoffs with a step that is retrying (a retry is scheduled, or a second or later attempt runs); false: only those without. */
  retrying?: boolean | null | undefined;
  /** Any of these statuses. */
  status?: Array<HandoffStatus> | null | undefined;
  /** Only the handoffs of this reliability test (plain or global id). */
  testId?: string | null | undefined;
  /** Latest transition stored within this span. */
  updatedAt?: TimeRange | null | undefined;
  /** PENDING or WAITING, with no transition stored for longer than this many seconds: queued, or waiting for a signal or an agent, that long. Narrows status to PENDING and WAITING. */
  waitingLongerThanSeconds?: number | null | undefined;
};

/** How a handoff list is sorted. A cursor belongs to its order: passing it with another one is an error. */
export type HandoffOrder = {
  /** Default DESC. */
  direction?: SortDirection | null | undefined;
  /** What to sort by. */
  field: HandoffOrderField;
};

/** What a handoff list is sorted by; the handoffId breaks ties, so every cursor names one position. */
export type HandoffOrderField =
  /** When it was initiated. Stable: paging never repeats or skips a handoff, whatever changes meanwhile. */
  | 'CREATED_AT'
  /** Priority (LOW < MEDIUM < HIGH < CRITICAL), then creation time in the same direction. Stable like CREATED_AT. */
  | 'PRIORITY'
  /** When its latest transition was stored. A handoff that changes while you page moves: it may come again (ASC) or be passed over (DESC). Paging ASC from a saved cursor returns every handoff changed since. */
  | 'UPDATED_AT';

/** Queue order when more handoffs are waiting than may run at once (higher first, then older first). */
export type HandoffPriority =
  /** Runs first. */
  | 'CRITICAL'
  /** Runs before MEDIUM and LOW. */
  | 'HIGH'
  /** Runs after every waiting handoff of higher priority (reliability tests use it). */
  | 'LOW'
  /** The default. */
  | 'MEDIUM';

/** Where a handoff is in its life. */
export type HandoffStatus =
  /** Cancelled by cancelHandoff or by its deadline (errorCode DEADLINE_EXCEEDED); completed steps were undone. Final. */
  | 'CANCELLED'
  /** Every step succeeded. Final. */
  | 'COMPLETED'
  /** Failed with nothing to undo (gates failed, or no completed step had a compensation). Final. */
  | 'FAILED'
  /** Stopped between steps by pauseHandoff: nothing starts, and its retry back-off and deadline do not run, until resumeHandoff (or cancelHandoff). Survives restarts. */
  | 'PAUSED'
  /** Queued: not started yet (gates not checked), or resumed or retried and waiting for its turn (or for its step's retry back-off). */
  | 'PENDING'
  /** Failed, and at least one compensation failed too: needs a person. Final. */
  | 'ROLLBACK_FAILED'
  /** Failed, and every completed step was undone. Final. */
  | 'ROLLED_BACK'
  /** A step failed for good (or a cancel arrived): compensations are running in reverse order. */
  | 'ROLLING_BACK'
  /** Executing a step. */
  | 'RUNNING'
  /** Waiting for signalHandoff on an AWAIT_SIGNAL step, or for an agent on an AGENT_TASK step. */
  | 'WAITING';

/** What kind of transfer a handoff is. */
export type HandoffType =
  /** A task moves from one agent to another. */
  | 'AGENT_HANDOFF'
  /** Work moves to a more capable agent or a person. */
  | 'ESCALATION'
  /** Work moves from one phase to the next. */
  | 'PHASE_TRANSITION'
  /** Work moves away from a failed agent. */
  | 'RECOVERY'
  /** An agent delegates part of its task and stays responsible. */
  | 'TASK_DELEGATION';

/** What to hand over, from whom to whom, by which procedure. */
export type InitiateHandoffInput = {
  /** Overall time limit from now, in ms (at most 30 days; default: the procedure's deadlineMs). Past it the handoff is cancelled and rolled back with errorCode DEADLINE_EXCEEDED; time spent PAUSED does not count. */
  deadlineMs?: number | null | undefined;
  /** Your idempotency key: initiating the same key twice returns the same handoff. Generated when omitted. */
  handoffId?: string | null | undefined;
  /** Kind of transfer (default from the procedure). */
  handoffType?: HandoffType | null | undefined;
  /** The context to hand over and to validate (JSON object, at most 64 KiB). */
  metadata?: unknown;
  /** Queue priority (default MEDIUM). */
  priority?: HandoffPriority | null | undefined;
  /** Procedure to run (plain or global id). */
  procedureId: string;
  /** Agent handing over (plain or global id). */
  sourceAgent?: string | null | undefined;
  /** The phase work comes from. */
  sourcePhase?: string | null | undefined;
  /** Agent receiving. Procedures that transfer context require it and require it registered (AGENT_NOT_REGISTERED otherwise); for others it is a label. */
  targetAgent?: string | null | undefined;
  /** The phase work goes to. */
  targetPhase?: string | null | undefined;
};

/** When a step may go on: once ALL (default), ANY or N_OF (count) of what it waits for succeeded; and whether the others are cancelled (default) or finish. */
export type JoinInput = {
  /** For N_OF: how many, at most the number it waits for. */
  count?: number | null | undefined;
  /** Default ALL. */
  mode?: JoinMode | null | undefined;
  /** Default CANCEL. */
  others?: JoinOthers | null | undefined;
};

/** How many of the steps a step waits for (or of its branches) must have succeeded. */
export type JoinMode =
  /** Every one (the default). One that failed means the join can never be met. */
  | 'ALL'
  /** Any one. */
  | 'ANY'
  /** `count` of them, e.g. 2 of 3 reviewers. */
  | 'N_OF';

/** What becomes of the steps (or branches) still open once a join is met. */
export type JoinOthers =
  /** They are cancelled (CANCELLED), unless another step still waits for them. The default. */
  | 'CANCEL'
  /** They go on to their end; the handoff completes once they have. */
  | 'FINISH';

/** The metadata value at a path equals a JSON string, number or boolean (same type and value), or, with equals null or left out, is JSON null or missing. Paths name object keys only (arrays are not looked into). Not indexed: combine it with a narrower condition on large stores. */
export type MetadataEquals = {
  /** The value: a JSON string, number, boolean or null. */
  equals?: unknown;
  /** Object keys joined by dots, e.g. "customer.tier" (letters, digits, _ and - in each key; at most 16 keys). */
  path: string;
};

/** Which handoff to pause and why. */
export type PauseHandoffInput = {
  /** handoffId or global id. */
  id: string;
  /** Kept on the handoff (pauseReason) and in its HANDOFF_PAUSED event; at most 500 characters. */
  reason?: string | null | undefined;
};

/** One step of a procedure definition. */
export type ProcedureStepInput = {
  /** Ids of the steps this one waits for. Omitted: the step before it in the list (so a list without after is a chain). []: none, it starts with the handoff. Unknown ids, cycles and steps that could never run are refused. */
  after?: Array<string> | null | undefined;
  /** How to undo the step. */
  compensation?: RollbackStepInput | null | undefined;
  /** Run the step once per item of a list (a fan-out), with a join over the branches. */
  forEach?: ForEachInput | null | undefined;
  /** Unique within the procedure (letters, digits, _ and -). */
  id: string;
  /** When it may start, if it waits for several steps (default: all succeeded). */
  join?: JoinInput | null | undefined;
  /** What the step does. */
  kind: StepKind;
  /** Human-readable name. */
  name: string;
  /** Parameters for the kind (see StepKind). */
  params?: unknown;
  /** Retry policy. */
  retry?: RetryPolicyInput | null | undefined;
  /** Time limit of one attempt, > 0. */
  timeoutMs: number;
  /** Rule ids checked after the step succeeds. */
  validateRules?: Array<string> | null | undefined;
  /** A condition in the validation rules' query language over { context, outputs, handoff }, checked when the step could start: false skips it (SKIPPED). E.g. { "context.urgent": true }. It may read outputs only of steps it waits for. */
  when?: unknown;
};

/** A FAILED delivery to queue again. */
export type RedeliverWebhookInput = {
  /** WebhookDelivery.id. */
  deliveryId: string;
};

/** Replaces the configuration's parameters for this run only (e.g. fewer iterations). */
export type ReliabilityTestOverrides = {
  /** Iterations in flight (1–1000). */
  concurrentLimit?: number | null | undefined;
  /** Probability (0–1) that a step attempt gets a fault. */
  failureRate?: number | null | undefined;
  /** Handoffs to run (1–100000). */
  iterations?: number | null | undefined;
  /** Iterations started per second (> 0). */
  ratePerSec?: number | null | undefined;
  /** Multiplies concurrentLimit (1–100). */
  stressFactor?: number | null | undefined;
  /** Iteration timeout in ms (100–3600000). */
  timeoutMs?: number | null | undefined;
  /** Latency window width in ms (100–3600000). */
  windowMs?: number | null | undefined;
};

/** Where a reliability test is. */
export type ReliabilityTestStatus =
  /** cancelReliabilityTest stopped it: no new iterations, running ones cancelled. The result covers the iterations that ran. */
  | 'CANCELLED'
  /** Every iteration ran; the result is final. */
  | 'COMPLETED'
  /** The harness itself failed, or the server stopped while it ran (see error). */
  | 'FAILED'
  /** Iterations are being released; follow them with reliabilityTestProgress. */
  | 'RUNNING';

/** What a reliability test exercises. Every type runs real, test-tagged handoffs; they differ in how iterations are released. */
export type ReliabilityTestType =
  /** Iterations released in waves of the full concurrentLimit at the same instant; the next wave starts when the last one ended. */
  | 'CONCURRENCY'
  /** A steady ratePerSec (at most concurrentLimit in flight); latency is reported per window of windowMs so drift shows. */
  | 'ENDURANCE'
  /** Faults injected into step attempts with failureRate (fail, slow, or hang until the step timeout), so retries and rollbacks run. */
  | 'FAILURE_INJECTION'
  /** Clean handoffs through a bounded pool; read latency percentiles and throughput. */
  | 'PERFORMANCE'
  /** Clean handoffs through a bounded pool (concurrentLimit in flight): the success rate should be 1. */
  | 'RELIABILITY'
  /** A pool of concurrentLimit × stressFactor in flight. */
  | 'STRESS';

/** Which paused handoff to resume. */
export type ResumeHandoffInput = {
  /** handoffId or global id. */
  id: string;
  /** Why: recorded in its HANDOFF_RESUMED event (data.reason); at most 500 characters. */
  reason?: string | null | undefined;
};

/** Which finished handoff to run again, from where, with what changed. */
export type RetryHandoffInput = {
  /** Retry only if the handoff's run is still this one (VERSION_CONFLICT otherwise): sending the same request again after a lost reply then cannot start a second new run. */
  expectedRun?: number | null | undefined;
  /** The step id to restart from. Default: the earliest of the step that failed and every step the rollback undid (COMPENSATED) or failed to undo (COMPENSATION_FAILED), since their effect is gone or unknown. An earlier step is allowed (it and the steps after it run again); a later one is refused (INVALID_STATE). */
  fromStep?: string | null | undefined;
  /** handoffId or global id of a FAILED, ROLLED_BACK or ROLLBACK_FAILED handoff. */
  id: string;
  /** Top-level metadata keys to set before the run (a null value removes its key); the result is bounded like metadata (64 KiB). */
  metadataPatch?: unknown;
  /** Why: recorded in its HANDOFF_REDRIVEN event (data.reason); at most 500 characters. */
  reason?: string | null | undefined;
};

/** Retry policy; omitted fields take the defaults (3 attempts, 200 ms initial delay, ×2, max 5 s, jitter 0.2). */
export type RetryPolicyInput = {
  /** Wait before the second attempt. */
  initialDelayMs?: number | null | undefined;
  /** Randomised share of each wait, 0–1. */
  jitter?: number | null | undefined;
  /** Attempts in all, 1–100. */
  maxAttempts?: number | null | undefined;
  /** Upper bound of any wait. */
  maxDelayMs?: number | null | undefined;
  /** Growth of the wait, 1–10. */
  multiplier?: number | null | undefined;
  /** Failure codes (see HandoffStep.errorCode) that fail the step at once, whatever attempts are left. HTTP_4XX stands for every HTTP_4nn but HTTP_408 and HTTP_429. Default [HTTP_4XX, VALIDATION_FAILED]; [] retries every failure. */
  nonRetryableCodes?: Array<string> | null | undefined;
};

/** How a step is undone on rollback. */
export type RollbackStepInput = {
  /** Unique within the procedure. */
  id: string;
  /** What it does. */
  kind: StepKind;
  /** Human-readable name. */
  name: string;
  /** Parameters for the kind. */
  params?: unknown;
  /** Time limit of one attempt. */
  timeoutMs: number;
};

/** The width of each point of a series. MINUTE to FIFTEEN_MINUTES are read from minute buckets (kept 7 days by default), HOUR to DAY from hour buckets (kept a year). A read returns at most 2000 points. */
export type SeriesResolution =
  /** One point a day (UTC). */
  | 'DAY'
  /** One point every 15 minutes. */
  | 'FIFTEEN_MINUTES'
  /** One point every 5 minutes. */
  | 'FIVE_MINUTES'
  /** One point an hour. */
  | 'HOUR'
  /** One point a minute. */
  | 'MINUTE'
  /** One point every 6 hours. */
  | 'SIX_HOURS';

/** A signal for an AWAIT_SIGNAL step: approve it, or reject it with a reason. */
export type SignalHandoffInput = {
  /** handoffId or global id. */
  id: string;
  /** APPROVE (the default) or REJECT. */
  outcome?: SignalOutcome | null | undefined;
  /** Recorded as the step output (`signal`) on approval. */
  payload?: unknown;
  /** Why (required to REJECT; at most 500 characters). Recorded on the step and its events. */
  reason?: string | null | undefined;
  /** The AWAIT_SIGNAL step id, or the AGENT_TASK step whose agent asked a question. */
  step: string;
};

/** What a signal decides for the AWAIT_SIGNAL step it names. */
export type SignalOutcome =
  /** The step succeeds with the payload as its output. */
  | 'APPROVE'
  /** The step fails for good (no retry, whatever its policy) and the handoff rolls back; a reason is required. */
  | 'REJECT';

/** Ascending or descending. */
export type SortDirection =
  /** Smallest (oldest, lowest) first. */
  | 'ASC'
  /** Largest (newest, highest) first. */
  | 'DESC';

/** An action and the handoffs to apply it to. */
export type StartBulkOperationInput = {
  /** What to do to each handoff. */
  action: BulkAction;
  /** Which handoffs, as for the handoffs query (reliability-test traffic left out unless includeTests or testId). An empty filter matches every handoff. */
  filter: HandoffFilter;
  /** RETRY only (INVALID_VALUE otherwise): top-level metadata keys set on each handoff before its new run, as retryHandoff does (a null value removes its key); at most 64 KiB. A handoff whose metadata would pass 64 KiB is refused. */
  metadataPatch?: unknown;
  /** Why (at most 300 characters): recorded on each handoff with the operation id. */
  reason?: string | null | undefined;
};

/** Which configuration to run, against which procedure. */
export type StartReliabilityTestInput = {
  /** A configuration id, e.g. RELIABILITY_STANDARD. */
  configId: string;
  /** Parameters for this run only. */
  overrides?: ReliabilityTestOverrides | null | undefined;
  /** The procedure each iteration runs (plain or global id; default PHASE_TRANSITION_STANDARD). AWAIT_SIGNAL steps are not supported. */
  procedureId?: string | null | undefined;
  /** Seed of the fault injection (0–2147483647); random when omitted. */
  seed?: number | null | undefined;
};

/** What a step does. Each kind reads its own `params`. */
export type StepKind =
  /** Offers each attempt as a task to an agent (params.agentId, else the handoff's target agent, or its source with params.assignee "source") and waits (status WAITING) while a worker claims it, sends heartbeats (a claimed task silent for params.heartbeatTimeoutMs is taken back: a failed attempt) and completes it (its output becomes the step's) or fails it (retryable or not). params.input is the task's input. Also usable as a compensation. */
  | 'AGENT_TASK'
  /** Waits (status WAITING) until signalHandoff approves or rejects this step, or the step times out. */
  | 'AWAIT_SIGNAL'
  /** Waits params.ms milliseconds. */
  | 'DELAY'
  /** Does nothing and succeeds: a placeholder or a benchmark step. */
  | 'NOOP'
  /** Removes the given context keys (params.keys) from the target agent's inbox: the undo of TRANSFER_CONTEXT. */
  | 'REVERT_CONTEXT'
  /** Takes params.durationMs (plus normal noise with standard deviation params.durationJitterMs) and fails with probability params.failureProbability: for demos, reliability tests and learned-duration tests. */
  | 'SIMULATE'
  /** Starts a handoff of another procedure (params.procedureId) as this one's child, with the context keys params.contextKeys (default: all of it) and the agents params.sourceAgent / params.targetAgent (default: this handoff's), and waits (status WAITING) until it finishes: the step succeeds when the child COMPLETED and fails for good otherwise. Cancelling this handoff cancels the child; rolling it back asks a COMPLETED child to roll back too (the step's own compensation unless it has another). */
  | 'SUB_HANDOFF'
  /** Copies the handoff's context keys (params.keys) to the target agent's inbox and records their digest; with params.awaitReceipt true it then waits until the target acknowledges exactly that (acknowledgeDelivery). */
  | 'TRANSFER_CONTEXT'
  /** Runs a rule set (params.rules) through the validation engine; a blocking outcome fails the step. */
  | 'VALIDATE'
  /** POSTs JSON to params.url (an allow-listed host) within the timeout; any 2xx succeeds. */
  | 'WEBHOOK';

/** Where one step of a handoff is. */
export type StepStatus =
  /** Stopped, or never started, because nothing needed it any more: a join it fed was met (others: CANCEL), or the step it is a branch of ended. skipReason says which. */
  | 'CANCELLED'
  /** Undone by its compensation. */
  | 'COMPENSATED'
  /** Its compensation is running. */
  | 'COMPENSATING'
  /** Its compensation failed. */
  | 'COMPENSATION_FAILED'
  /** Failed for good (attempts exhausted, or cancelled). */
  | 'FAILED'
  /** Not started, or waiting for its next attempt (see retryAt). */
  | 'PENDING'
  /** An attempt is running. */
  | 'RUNNING'
  /** Never ran: its condition (when) was false, or what it waited for was skipped or cancelled so its join could not be met. skipReason says which. */
  | 'SKIPPED'
  /** Done. */
  | 'SUCCEEDED'
  /** Waiting for signalHandoff (AWAIT_SIGNAL) or for an agent to complete its task (AGENT_TASK). */
  | 'WAITING';

/** A span of time: from (inclusive) up to before (exclusive); either end may be left open. */
export type TimeRange = {
  /** Strictly before this time. */
  before?: string | null | undefined;
  /** At or after this time. */
  from?: string | null | undefined;
};

/** A full replacement definition, stored as the next version. Running handoffs keep their version. */
export type UpdateProcedureInput = {
  /** Severities that block (default [CRITICAL]). */
  blockingSeverities?: Array<ValidationSeverity> | null | undefined;
  /** Overall time limit of each handoff from its creation, time PAUSED excluded (at most 30 days): past it the handoff is cancelled and rolled back with errorCode DEADLINE_EXCEEDED. A handoff may set its own (initiateHandoff deadlineMs). Default: none. */
  deadlineMs?: number | null | undefined;
  /** Procedures this one depends on (plain or global ids). */
  dependencies?: Array<string> | null | undefined;
  /** What the procedure is for. */
  description?: string | null | undefined;
  /** Expected wall time (default: sum of step timeouts). */
  estimatedDurationMs?: number | null | undefined;
  /** Refuse (VERSION_CONFLICT) unless the stored version is this one. */
  expectedVersion?: number | null | undefined;
  /** Plain id, e.g. MY_PROCEDURE (a global id of the procedure also names it). */
  id: string;
  /** Step attempts of one handoff under way at once, waits included (1–100, default 10). */
  maxParallelSteps?: number | null | undefined;
  /** Human-readable name. */
  name: string;
  /** Agents that must be registered (plain or global ids). */
  requiredAgents?: Array<string> | null | undefined;
  /** Keys the handoff metadata must carry (VR005). */
  requiredContextKeys?: Array<string> | null | undefined;
  /** Steps: in order, unless they say what they wait for (after). */
  steps: Array<ProcedureStepInput>;
  /** Gate rule ids checked before the first step. */
  validationRules?: Array<string> | null | undefined;
};

/** Changes the given fields of a rule; omitted ones stay. */
export type UpdateValidationRuleInput = {
  /** New condition (checked like on creation). */
  condition?: unknown;
  /** New description. */
  description?: string | null | undefined;
  /** Enable or disable. */
  enabled?: boolean | null | undefined;
  /** The rule to change. */
  id: string;
  /** New name. */
  name?: string | null | undefined;
  /** New severity. */
  severity?: ValidationSeverity | null | undefined;
  /** New timeout, 1 to 60000. */
  timeoutMs?: number | null | undefined;
};

/** Changes to a webhook subscription; omitted fields stay as they are. */
export type UpdateWebhookInput = {
  /** True: deliver every event type (eventTypes is ignored). */
  allEventTypes?: boolean | null | undefined;
  /** What it is for. */
  description?: string | null | undefined;
  /** False pauses deliveries; true resumes them, with the events committed meanwhile. */
  enabled?: boolean | null | undefined;
  /** New event types to deliver. */
  eventTypes?: Array<HandoffEventType> | null | undefined;
  /** Refuse (VERSION_CONFLICT) unless the subscription is still at this version. */
  expectedVersion?: number | null | undefined;
  /** The subscription id. */
  id: string;
  /** Also deliver events of reliability-test handoffs. */
  includeTestEvents?: boolean | null | undefined;
  /** A new URL (allow-listed host). */
  url?: string | null | undefined;
};

/** Why an operation refused its input: the closed list of `UserError.code` values, each one case a client may handle differently. */
export type UserErrorCode =
  /** An agent the procedure needs is not registered. */
  | 'AGENT_NOT_REGISTERED'
  /** The procedure's dependencies would form a cycle. */
  | 'DEPENDENCY_CYCLE'
  /** A procedure this one depends on has no COMPLETED handoff for this source phase yet. */
  | 'DEPENDENCY_NOT_MET'
  /** The digest does not match what the delivery holds now: read the values again. */
  | 'DIGEST_MISMATCH'
  /** Something with this id already exists. */
  | 'DUPLICATE_KEY'
  /** An agent key acting on another agent's work (served as a FORBIDDEN GraphQL error, not a userError). */
  | 'FORBIDDEN'
  /** The URL's host is not in the server's WEBHOOK_ALLOW_HOSTS: the server calls no other host. */
  | 'HOST_NOT_ALLOWED'
  /** A validation rule condition is not a query the rule engine can evaluate. */
  | 'INVALID_CONDITION'
  /** It is not in a state that allows this (e.g. cancelling a finished handoff, signalling a step that does not wait). */
  | 'INVALID_STATE'
  /** The claim token does not match the claim of this task. */
  | 'INVALID_TOKEN'
  /** A field has a value the operation does not accept (format, range, length, unknown enum, not a JSON object); `field` says which. */
  | 'INVALID_VALUE'
  /** A field that is optional in the schema is required in this case (e.g. targetAgent for a procedure that transfers context). */
  | 'MISSING_VALUE'
  /** The id names nothing (no such handoff, procedure, agent, rule, task, test or configuration). */
  | 'NOT_FOUND'
  /** The validation rule is named by a procedure and cannot be deleted; the message lists where. */
  | 'RULE_IN_USE'
  /** Another worker claimed the task first. */
  | 'TASK_ALREADY_CLAIMED'
  /** The task is finished or was taken back: stop working on it. */
  | 'TASK_NOT_CURRENT'
  /** A value is larger than allowed as JSON (metadata, signal payload, validation context, step params, task output or progress). */
  | 'TOO_LARGE'
  /** The limit of reliability tests running at once is reached: wait or cancel one. */
  | 'TOO_MANY_TESTS'
  /** The server is shutting down and starts no new work: retry on another server or later. */
  | 'UNAVAILABLE'
  /** The server could not read what it had to fetch (an A2A Agent Card): no answer, an error, or not a card; the message says why. */
  | 'UNREACHABLE'
  /** The reliability harness cannot run this procedure (it has AWAIT_SIGNAL steps). */
  | 'UNSUPPORTED_PROCEDURE'
  /** It changed since you read it (expectedVersion does not match, or a concurrent update won): read it again and retry. */
  | 'VERSION_CONFLICT';

/** The verdict of a whole session. */
export type ValidationOutcome =
  /** A rule of a blocking severity (CRITICAL unless the procedure says otherwise) failed or errored. */
  | 'FAILED'
  /** Every rule passed (or was skipped). */
  | 'PASSED'
  /** Only rules of non-blocking severities failed or errored. */
  | 'PASSED_WITH_WARNINGS';

/** One rule's verdict in a session. */
export type ValidationResultStatus =
  /** The rule could not be decided: it threw, timed out, or does not exist. Counts like a failure. */
  | 'ERROR'
  /** The subject did not match; the message says what was expected and what was found. */
  | 'FAILED'
  /** The subject matched the condition. */
  | 'PASSED'
  /** The rule is disabled and was not run. */
  | 'SKIPPED';

/** Whether a session is still running its rules. */
export type ValidationSessionStatus =
  /** Every rule has a result and the outcome is final. */
  | 'COMPLETED'
  /** Rules are still being evaluated; follow them with the validationProgress subscription. */
  | 'RUNNING';

/** How much a validation rule matters. */
export type ValidationSeverity =
  /** Must pass: a failure blocks the handoff. */
  | 'CRITICAL'
  /** Should pass: a failure is a warning unless the procedure lists HIGH as blocking. */
  | 'HIGH'
  /** Informational: a failure is a warning unless the procedure lists LOW as blocking. */
  | 'LOW'
  /** A failure is a warning unless the procedure lists MEDIUM as blocking. */
  | 'MEDIUM';

/** Where a webhook delivery is. */
export type WebhookDeliveryStatus =
  /** The receiver answered 2xx. */
  | 'DELIVERED'
  /** Every allowed attempt failed. Later events of its handoff went on; redeliverWebhook queues it again. */
  | 'FAILED'
  /** Not sent yet, or waiting for its next attempt (see nextAttemptAt). Later events of the same handoff wait behind it. */
  | 'PENDING';

export type AgentsQueryVariables = Exact<{ [key: string]: never; }>;


export type AgentsQuery = { agents: { totalCount: number, edges: Array<{ node: { agentId: string, status: AgentStatus, reportedStatus: AgentStatus, heartbeatAgeMs: number, lastHeartbeatAt: string, capabilities: Array<string>, handoffs: { edges: Array<{ node: { handoffId: string, status: HandoffStatus } }> } } }> } };

export type AgentFeedSubscriptionVariables = Exact<{
  agentId: string;
  after: number;
}>;


export type AgentFeedSubscription = { agentFeed: { seq: number, type: AgentFeedEntryType, message: string, handoffId: string | null, step: string | null, at: string } };

export type BulkProgressFragment = { bulkOperationId: string, action: BulkAction, status: BulkOperationStatus, total: number, done: number, skipped: number, refused: number, error: string | null };

export type StartBulkOperationMutationVariables = Exact<{
  input: StartBulkOperationInput;
}>;


export type StartBulkOperationMutation = { startBulkOperation: { bulkOperation: { bulkOperationId: string, action: BulkAction, status: BulkOperationStatus, total: number, done: number, skipped: number, refused: number, error: string | null } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type BulkOperationProgressSubscriptionVariables = Exact<{
  id: string;
}>;


export type BulkOperationProgressSubscription = { bulkOperationProgress: { bulkOperationId: string, action: BulkAction, status: BulkOperationStatus, total: number, done: number, skipped: number, refused: number, error: string | null } };

export type BulkOperationsQueryVariables = Exact<{
  first: number;
}>;


export type BulkOperationsQuery = { bulkOperations: { totalCount: number, edges: Array<{ node: { reason: string, startedAt: string, finishedAt: string | null, filter: unknown, bulkOperationId: string, action: BulkAction, status: BulkOperationStatus, total: number, done: number, skipped: number, refused: number, error: string | null, requestedBy: { keyName: string } | null } }> } };

export type DetailStepFragment = { id: string, name: string, kind: StepKind, status: StepStatus, attempts: number, compensationAttempts: number, startedAt: string | null, finishedAt: string | null, durationMs: number | null, error: string | null, errorCode: string | null, retryAt: string | null, output: unknown };

export type ProgressEventFragment = { seq: number, run: number, type: HandoffEventType, status: HandoffStatus, step: string | null, branch: number | null, attempt: number | null, message: string, durationMs: number | null, at: string, data: unknown, actor: { keyName: string } | null };

export type DeliveryFragment = { agentId: string, keys: Array<string>, digest: string, deliveredAt: string, acknowledged: boolean, acknowledgedAt: string | null, withdrawnAt: string | null };

export type HandoffDetailQueryVariables = Exact<{
  id: string;
}>;


export type HandoffDetailQuery = { handoff: { id: string, handoffId: string, status: HandoffStatus, handoffType: HandoffType, priority: HandoffPriority, sourceAgent: string | null, targetAgent: string | null, sourcePhase: string | null, targetPhase: string | null, createdAt: string, startedAt: string | null, finishedAt: string | null, durationMs: number | null, error: string | null, errorCode: string | null, cancelReason: string | null, run: number, deadlineAt: string | null, pauseRequestedAt: string | null, pausedAt: string | null, pauseReason: string | null, metadata: unknown, lastSeq: number, procedureVersion: number, slow: boolean, procedure: { procedureId: string, name: string } | null, definition: { steps: Array<{ id: string, params: unknown, timeoutMs: number, compensation: { id: string, params: unknown } | null }> } | null, eta: { medianMs: number | null, p90Ms: number | null, expectedAt: string | null, fromStep: string, elapsedMs: number, samples: number, slow: boolean } | null, steps: Array<{ id: string, name: string, kind: StepKind, status: StepStatus, attempts: number, compensationAttempts: number, startedAt: string | null, finishedAt: string | null, durationMs: number | null, error: string | null, errorCode: string | null, retryAt: string | null, output: unknown }>, children: Array<{ handoffId: string, status: HandoffStatus, parent: { stepId: string } | null }>, source: { agentId: string, inbox: { edges: Array<{ node: { handoffId: string, agentId: string, keys: Array<string>, digest: string, deliveredAt: string, acknowledged: boolean, acknowledgedAt: string | null, withdrawnAt: string | null } }> } } | null, target: { agentId: string, inbox: { edges: Array<{ node: { handoffId: string, agentId: string, keys: Array<string>, digest: string, deliveredAt: string, acknowledged: boolean, acknowledgedAt: string | null, withdrawnAt: string | null } }> } } | null } | null };

export type HandoffProgressSubscriptionVariables = Exact<{
  id: string;
  afterSeq: number;
}>;


export type HandoffProgressSubscription = { handoffProgress: { seq: number, run: number, type: HandoffEventType, status: HandoffStatus, step: string | null, branch: number | null, attempt: number | null, message: string, durationMs: number | null, at: string, data: unknown, actor: { keyName: string } | null } };

export type CancelHandoffMutationVariables = Exact<{
  input: CancelHandoffInput;
}>;


export type CancelHandoffMutation = { cancelHandoff: { handoff: { handoffId: string, status: HandoffStatus } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type SignalHandoffMutationVariables = Exact<{
  input: SignalHandoffInput;
}>;


export type SignalHandoffMutation = { signalHandoff: { handoff: { handoffId: string, status: HandoffStatus } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type RetryHandoffMutationVariables = Exact<{
  input: RetryHandoffInput;
}>;


export type RetryHandoffMutation = { retryHandoff: { handoff: { handoffId: string, status: HandoffStatus, run: number } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type PauseHandoffMutationVariables = Exact<{
  input: PauseHandoffInput;
}>;


export type PauseHandoffMutation = { pauseHandoff: { handoff: { handoffId: string, status: HandoffStatus, run: number } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type ResumeHandoffMutationVariables = Exact<{
  input: ResumeHandoffInput;
}>;


export type ResumeHandoffMutation = { resumeHandoff: { handoff: { handoffId: string, status: HandoffStatus, run: number } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type HandoffRowFragment = { id: string, handoffId: string, status: HandoffStatus, handoffType: HandoffType, priority: HandoffPriority, sourceAgent: string | null, targetAgent: string | null, createdAt: string, updatedAt: string, durationMs: number | null, currentStep: { id: string, name: string } | null, procedure: { procedureId: string } | null };

export type HandoffsQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
  filter?: HandoffFilter | null | undefined;
  orderBy?: HandoffOrder | null | undefined;
}>;


export type HandoffsQuery = { handoffs: { totalCount: number, edges: Array<{ cursor: string, node: { id: string, handoffId: string, status: HandoffStatus, handoffType: HandoffType, priority: HandoffPriority, sourceAgent: string | null, targetAgent: string | null, createdAt: string, updatedAt: string, durationMs: number | null, currentStep: { id: string, name: string } | null, procedure: { procedureId: string } | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ProcedureIdsQueryVariables = Exact<{ [key: string]: never; }>;


export type ProcedureIdsQuery = { procedures: { totalCount: number, edges: Array<{ node: { procedureId: string, name: string, requiredAgents: Array<string>, requiredContextKeys: Array<string>, dependencies: Array<string>, validationRules: Array<{ id: string }>, steps: Array<{ kind: StepKind }> } }> }, agents: { edges: Array<{ node: { agentId: string, status: AgentStatus } }> } };

export type InitiateHandoffMutationVariables = Exact<{
  input: InitiateHandoffInput;
}>;


export type InitiateHandoffMutation = { initiateHandoff: { handoff: { handoffId: string, status: HandoffStatus } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type QuantilesFragment = { count: number, p50: number, p90: number, p99: number };

export type OverviewSeriesQueryVariables = Exact<{
  from: string;
  resolution: SeriesResolution;
}>;


export type OverviewSeriesQuery = { insightSeries: { from: string, to: string, points: Array<{ at: string, successRate: number | null, queueDepth: number | null, queueDepthMax: number | null, counts: { created: number, started: number, completed: number, failed: number, rolledBack: number, rollbackFailed: number, cancelled: number, stepAttempts: number, stepFailures: number, stepTimeouts: number }, duration: { count: number, p50: number, p90: number, p99: number } | null, wait: { count: number, p50: number, p90: number, p99: number } | null }>, total: { successRate: number | null, counts: { created: number, completed: number, failed: number, rolledBack: number, rollbackFailed: number, cancelled: number, stepAttempts: number, stepFailures: number, stepTimeouts: number }, duration: { count: number, p50: number, p90: number, p99: number } | null } }, insightStatus: { enabled: boolean, foldedThrough: string | null, lagMs: number | null } };

export type RecentFailuresQueryVariables = Exact<{
  since: string;
}>;


export type RecentFailuresQuery = { handoffs: { totalCount: number, edges: Array<{ node: { handoffId: string, status: HandoffStatus, run: number, errorCode: string | null, error: string | null, updatedAt: string, procedure: { procedureId: string } | null, steps: Array<{ id: string, name: string, status: StepStatus, errorCode: string | null }> } }> } };

export type QueueByKeyQueryVariables = Exact<{ [key: string]: never; }>;


export type QueueByKeyQuery = { metrics: { queue: { running: number, waiting: number, maxConcurrent: number, fairShareKey: string | null, fairShareLimit: number | null, keyCount: number, byKey: Array<{ key: string | null, waiting: number, running: number, limit: number | null }> } } };

export type ProcedureAdviceQueryVariables = Exact<{
  id: string;
}>;


export type ProcedureAdviceQuery = { procedure: { procedureId: string, name: string, version: number, description: string } | null, procedureAdvice: { procedureId: string, version: number, timeoutMinSamples: number, retryMinSamples: number, steps: Array<{ stepId: string, stepName: string, currentTimeoutMs: number, currentMaxAttempts: number, currentInitialDelayMs: number, pending: Array<string>, statistics: { attempts: number, successes: number, failures: number, timeouts: number, retries: number, retrySuccesses: number } | null, durations: { count: number, p50: number, p90: number, p99: number, p999: number, max: number } | null, timeout: { recommendedMs: number, observedP999Ms: number, estimatedP999Ms: number, method: string, successesWithin: number, timeoutsRecoveredEstimate: number, wouldHaveSucceeded: number, explanation: string } | null, retry: { recommendedMaxAttempts: number, recommendedInitialDelayMs: number, firstFailureRate: number, retrySuccessRate: number, explanation: string } | null }> } };

export type ApplyProcedureAdviceMutationVariables = Exact<{
  input: ApplyProcedureAdviceInput;
}>;


export type ApplyProcedureAdviceMutation = { applyProcedureAdvice: { procedure: { procedureId: string, version: number } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type OverviewQueryVariables = Exact<{ [key: string]: never; }>;


export type OverviewQuery = { metrics: { handoffs: { total: number, running: number, succeeded: number, failed: number, successRate: number, byStatus: Array<{ status: HandoffStatus, count: number }> }, activeSubscriptions: { total: number, webSocket: number, sse: number }, reliability: { tests: number, running: number, averageSuccessRate: number } }, agents: { totalCount: number, edges: Array<{ node: { agentId: string, status: AgentStatus } }> } };

export type LiveHandoffEventsSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type LiveHandoffEventsSubscription = { handoffEvents: { handoffId: string, seq: number, type: HandoffEventType, status: HandoffStatus, step: string | null, durationMs: number | null, at: string } };

export type ProceduresQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type ProceduresQuery = { procedures: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { procedureId: string, name: string, description: string, version: number, estimatedDurationMs: number, requiredContextKeys: Array<string>, requiredAgents: Array<string>, dependencies: Array<string>, blockingSeverities: Array<ValidationSeverity>, validationRules: Array<{ id: string, severity: ValidationSeverity }>, steps: Array<{ id: string, name: string, kind: StepKind, timeoutMs: number, params: unknown, validateRules: Array<string>, retry: { maxAttempts: number, initialDelayMs: number, maxDelayMs: number, multiplier: number, jitter: number }, compensation: { id: string, name: string, kind: StepKind, timeoutMs: number, params: unknown } | null }> } }> } };

export type CreateProcedureMutationVariables = Exact<{
  input: CreateProcedureInput;
}>;


export type CreateProcedureMutation = { createProcedure: { procedure: { procedureId: string, version: number } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type UpdateProcedureMutationVariables = Exact<{
  input: UpdateProcedureInput;
}>;


export type UpdateProcedureMutation = { updateProcedure: { procedure: { procedureId: string, version: number } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type ReliabilityResultFieldsFragment = { iterations: number, succeeded: number, failed: number, successRate: number, rollbackSuccessRate: number | null, throughputPerSec: number, latencyMs: { p50: number, p95: number, p99: number, max: number } | null, windows: Array<{ index: number, startMs: number, iterations: number, latencyMs: { p50: number, p95: number, p99: number } | null }> };

export type ReliabilityPageQueryVariables = Exact<{ [key: string]: never; }>;


export type ReliabilityPageQuery = { reliabilityTestConfigs: Array<{ id: string, name: string, type: ReliabilityTestType, iterations: number, concurrentLimit: number, failureRate: number }>, reliabilityTests: { edges: Array<{ node: { testId: string, type: ReliabilityTestType, status: ReliabilityTestStatus, configId: string, createdAt: string, progress: { total: number, completed: number } } }> } };

export type ReliabilityTestDetailQueryVariables = Exact<{
  id: string;
}>;


export type ReliabilityTestDetailQuery = { reliabilityTest: { testId: string, type: ReliabilityTestType, status: ReliabilityTestStatus, configId: string, error: string | null, progress: { total: number, completed: number, succeeded: number, failed: number, running: number }, result: { iterations: number, succeeded: number, failed: number, successRate: number, rollbackSuccessRate: number | null, throughputPerSec: number, latencyMs: { p50: number, p95: number, p99: number, max: number } | null, windows: Array<{ index: number, startMs: number, iterations: number, latencyMs: { p50: number, p95: number, p99: number } | null }> } | null } | null };

export type ReliabilityProgressSubscriptionVariables = Exact<{
  id: string;
}>;


export type ReliabilityProgressSubscription = { reliabilityTestProgress: { seq: number, status: ReliabilityTestStatus, total: number, completed: number, succeeded: number, failed: number, running: number, at: string } };

export type StartReliabilityTestMutationVariables = Exact<{
  input: StartReliabilityTestInput;
}>;


export type StartReliabilityTestMutation = { startReliabilityTest: { test: { testId: string, status: ReliabilityTestStatus } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type ValidationRulesQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type ValidationRulesQuery = { validationRules: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, name: string, description: string, severity: ValidationSeverity, enabled: boolean, condition: unknown, version: number } }> } };

export type ValidationSessionsQueryVariables = Exact<{ [key: string]: never; }>;


export type ValidationSessionsQuery = { validationSessions: { edges: Array<{ node: { sessionId: string, status: ValidationSessionStatus, outcome: ValidationOutcome | null, procedureId: string | null, startedAt: string, results: Array<{ status: ValidationResultStatus, message: string, ruleId: string, severity: ValidationSeverity }> } }> } };

export type UpdateValidationRuleMutationVariables = Exact<{
  input: UpdateValidationRuleInput;
}>;


export type UpdateValidationRuleMutation = { updateValidationRule: { rule: { id: string, enabled: boolean, condition: unknown, version: number } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { keyName: string, role: ApiKeyRole, agentId: string | null, keysRequired: boolean } | null };

export type WebhookSubscriptionsQueryVariables = Exact<{ [key: string]: never; }>;


export type WebhookSubscriptionsQuery = { webhookSubscriptions: Array<{ id: string, url: string, description: string, enabled: boolean, eventTypes: Array<HandoffEventType> | null, version: number, createdAt: string }> };

export type WebhookDeliveriesQueryVariables = Exact<{
  id: string;
  status?: Array<WebhookDeliveryStatus> | WebhookDeliveryStatus | null | undefined;
}>;


export type WebhookDeliveriesQuery = { webhookSubscription: { id: string, url: string, enabled: boolean, version: number, deliveries: { totalCount: number, edges: Array<{ node: { id: string, eventKey: string, handoffId: string, seq: number, eventType: HandoffEventType, status: WebhookDeliveryStatus, attemptCount: number, nextAttemptAt: string | null, createdAt: string, attempts: Array<{ at: string, statusCode: number | null, error: string | null, durationMs: number }> } }> } } | null };

export type RedeliverWebhookMutationVariables = Exact<{
  input: RedeliverWebhookInput;
}>;


export type RedeliverWebhookMutation = { redeliverWebhook: { delivery: { id: string, status: WebhookDeliveryStatus } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type SetWebhookEnabledMutationVariables = Exact<{
  input: UpdateWebhookInput;
}>;


export type SetWebhookEnabledMutation = { updateWebhook: { webhookSubscription: { id: string, enabled: boolean, version: number } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export const BulkProgressFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"BulkProgress"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"BulkOperation"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"bulkOperationId"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"done"}},{"kind":"Field","name":{"kind":"Name","value":"skipped"}},{"kind":"Field","name":{"kind":"Name","value":"refused"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]} as unknown as DocumentNode<BulkProgressFragment, unknown>;
export const DetailStepFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DetailStep"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"HandoffStep"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"attempts"}},{"kind":"Field","name":{"kind":"Name","value":"compensationAttempts"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"errorCode"}},{"kind":"Field","name":{"kind":"Name","value":"retryAt"}},{"kind":"Field","name":{"kind":"Name","value":"output"}}]}}]} as unknown as DocumentNode<DetailStepFragment, unknown>;
export const ProgressEventFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ProgressEvent"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"HandoffEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"run"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"step"}},{"kind":"Field","name":{"kind":"Name","value":"branch"}},{"kind":"Field","name":{"kind":"Name","value":"attempt"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"data"}},{"kind":"Field","name":{"kind":"Name","value":"actor"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"keyName"}}]}}]}}]} as unknown as DocumentNode<ProgressEventFragment, unknown>;
export const DeliveryFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"Delivery"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ContextDelivery"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentId"}},{"kind":"Field","name":{"kind":"Name","value":"keys"}},{"kind":"Field","name":{"kind":"Name","value":"digest"}},{"kind":"Field","name":{"kind":"Name","value":"deliveredAt"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledged"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledgedAt"}},{"kind":"Field","name":{"kind":"Name","value":"withdrawnAt"}}]}}]} as unknown as DocumentNode<DeliveryFragment, unknown>;
export const HandoffRowFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"HandoffRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Handoff"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"handoffId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"handoffType"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}},{"kind":"Field","name":{"kind":"Name","value":"sourceAgent"}},{"kind":"Field","name":{"kind":"Name","value":"targetAgent"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}},{"kind":"Field","name":{"kind":"Name","value":"currentStep"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"procedure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"procedureId"}}]}}]}}]} as unknown as DocumentNode<HandoffRowFragment, unknown>;
export const QuantilesFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"Quantiles"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DurationQuantiles"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"p50"}},{"kind":"Field","name":{"kind":"Name","value":"p90"}},{"kind":"Field","name":{"kind":"Name","value":"p99"}}]}}]} as unknown as DocumentNode<QuantilesFragment, unknown>;
export const ReliabilityResultFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReliabilityResultFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ReliabilityTestResult"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"iterations"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}},{"kind":"Field","name":{"kind":"Name","value":"successRate"}},{"kind":"Field","name":{"kind":"Name","value":"rollbackSuccessRate"}},{"kind":"Field","name":{"kind":"Name","value":"throughputPerSec"}},{"kind":"Field","name":{"kind":"Name","value":"latencyMs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"p50"}},{"kind":"Field","name":{"kind":"Name","value":"p95"}},{"kind":"Field","name":{"kind":"Name","value":"p99"}},{"kind":"Field","name":{"kind":"Name","value":"max"}}]}},{"kind":"Field","name":{"kind":"Name","value":"windows"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"startMs"}},{"kind":"Field","name":{"kind":"Name","value":"iterations"}},{"kind":"Field","name":{"kind":"Name","value":"latencyMs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"p50"}},{"kind":"Field","name":{"kind":"Name","value":"p95"}},{"kind":"Field","name":{"kind":"Name","value":"p99"}}]}}]}}]}}]} as unknown as DocumentNode<ReliabilityResultFieldsFragment, unknown>;
export const AgentsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Agents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"40"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"reportedStatus"}},{"kind":"Field","name":{"kind":"Name","value":"heartbeatAgeMs"}},{"kind":"Field","name":{"kind":"Name","value":"lastHeartbeatAt"}},{"kind":"Field","name":{"kind":"Name","value":"capabilities"}},{"kind":"Field","name":{"kind":"Name","value":"handoffs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"1"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"handoffId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<AgentsQuery, AgentsQueryVariables>;
export const AgentFeedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"AgentFeed"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"agentId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentFeed"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"agentId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"agentId"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"handoffId"}},{"kind":"Field","name":{"kind":"Name","value":"step"}},{"kind":"Field","name":{"kind":"Name","value":"at"}}]}}]}}]} as unknown as DocumentNode<AgentFeedSubscription, AgentFeedSubscriptionVariables>;
export const StartBulkOperationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"StartBulkOperation"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"StartBulkOperationInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"startBulkOperation"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"bulkOperation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"BulkProgress"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"BulkProgress"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"BulkOperation"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"bulkOperationId"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"done"}},{"kind":"Field","name":{"kind":"Name","value":"skipped"}},{"kind":"Field","name":{"kind":"Name","value":"refused"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]} as unknown as DocumentNode<StartBulkOperationMutation, StartBulkOperationMutationVariables>;
export const BulkOperationProgressDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"BulkOperationProgress"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"bulkOperationProgress"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"BulkProgress"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"BulkProgress"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"BulkOperation"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"bulkOperationId"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"done"}},{"kind":"Field","name":{"kind":"Name","value":"skipped"}},{"kind":"Field","name":{"kind":"Name","value":"refused"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]} as unknown as DocumentNode<BulkOperationProgressSubscription, BulkOperationProgressSubscriptionVariables>;
export const BulkOperationsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"BulkOperations"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"bulkOperations"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"BulkProgress"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"filter"}},{"kind":"Field","name":{"kind":"Name","value":"requestedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"keyName"}}]}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"BulkProgress"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"BulkOperation"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"bulkOperationId"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"done"}},{"kind":"Field","name":{"kind":"Name","value":"skipped"}},{"kind":"Field","name":{"kind":"Name","value":"refused"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]} as unknown as DocumentNode<BulkOperationsQuery, BulkOperationsQueryVariables>;
export const HandoffDetailDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"HandoffDetail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"handoff"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"handoffId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"handoffType"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}},{"kind":"Field","name":{"kind":"Name","value":"sourceAgent"}},{"kind":"Field","name":{"kind":"Name","value":"targetAgent"}},{"kind":"Field","name":{"kind":"Name","value":"sourcePhase"}},{"kind":"Field","name":{"kind":"Name","value":"targetPhase"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"errorCode"}},{"kind":"Field","name":{"kind":"Name","value":"cancelReason"}},{"kind":"Field","name":{"kind":"Name","value":"run"}},{"kind":"Field","name":{"kind":"Name","value":"deadlineAt"}},{"kind":"Field","name":{"kind":"Name","value":"pauseRequestedAt"}},{"kind":"Field","name":{"kind":"Name","value":"pausedAt"}},{"kind":"Field","name":{"kind":"Name","value":"pauseReason"}},{"kind":"Field","name":{"kind":"Name","value":"metadata"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeq"}},{"kind":"Field","name":{"kind":"Name","value":"procedure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"procedureId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"procedureVersion"}},{"kind":"Field","alias":{"kind":"Name","value":"definition"},"name":{"kind":"Name","value":"procedureAtVersion"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"steps"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"params"}},{"kind":"Field","name":{"kind":"Name","value":"timeoutMs"}},{"kind":"Field","name":{"kind":"Name","value":"compensation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"params"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"slow"}},{"kind":"Field","name":{"kind":"Name","value":"eta"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"medianMs"}},{"kind":"Field","name":{"kind":"Name","value":"p90Ms"}},{"kind":"Field","name":{"kind":"Name","value":"expectedAt"}},{"kind":"Field","name":{"kind":"Name","value":"fromStep"}},{"kind":"Field","name":{"kind":"Name","value":"elapsedMs"}},{"kind":"Field","name":{"kind":"Name","value":"samples"}},{"kind":"Field","name":{"kind":"Name","value":"slow"}}]}},{"kind":"Field","name":{"kind":"Name","value":"steps"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DetailStep"}}]}},{"kind":"Field","name":{"kind":"Name","value":"children"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"handoffId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"parent"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stepId"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"source"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentId"}},{"kind":"Field","name":{"kind":"Name","value":"inbox"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"10"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"Delivery"}},{"kind":"Field","name":{"kind":"Name","value":"handoffId"}}]}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"target"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentId"}},{"kind":"Field","name":{"kind":"Name","value":"inbox"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"10"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"Delivery"}},{"kind":"Field","name":{"kind":"Name","value":"handoffId"}}]}}]}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DetailStep"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"HandoffStep"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"attempts"}},{"kind":"Field","name":{"kind":"Name","value":"compensationAttempts"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"errorCode"}},{"kind":"Field","name":{"kind":"Name","value":"retryAt"}},{"kind":"Field","name":{"kind":"Name","value":"output"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"Delivery"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ContextDelivery"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentId"}},{"kind":"Field","name":{"kind":"Name","value":"keys"}},{"kind":"Field","name":{"kind":"Name","value":"digest"}},{"kind":"Field","name":{"kind":"Name","value":"deliveredAt"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledged"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledgedAt"}},{"kind":"Field","name":{"kind":"Name","value":"withdrawnAt"}}]}}]} as unknown as DocumentNode<HandoffDetailQuery, HandoffDetailQueryVariables>;
export const HandoffProgressDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"HandoffProgress"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"afterSeq"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"handoffProgress"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"afterSeq"},"value":{"kind":"Variable","name":{"kind":"Name","value":"afterSeq"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ProgressEvent"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ProgressEvent"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"HandoffEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"run"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"step"}},{"kind":"Field","name":{"kind":"Name","value":"branch"}},{"kind":"Field","name":{"kind":"Name","value":"attempt"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"data"}},{"kind":"Field","name":{"kind":"Name","value":"actor"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"keyName"}}]}}]}}]} as unknown as DocumentNode<HandoffProgressSubscription, HandoffProgressSubscriptionVariables>;
export const CancelHandoffDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CancelHandoff"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CancelHandoffInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cancelHandoff"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"handoff"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"handoffId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]} as unknown as DocumentNode<CancelHandoffMutation, CancelHandoffMutationVariables>;
export const SignalHandoffDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SignalHandoff"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SignalHandoffInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"signalHandoff"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"handoff"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"handoffId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]} as unknown as DocumentNode<SignalHandoffMutation, SignalHandoffMutationVariables>;
export const RetryHandoffDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RetryHandoff"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RetryHandoffInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retryHandoff"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"handoff"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"handoffId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"run"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]} as unknown as DocumentNode<RetryHandoffMutation, RetryHandoffMutationVariables>;
export const PauseHandoffDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PauseHandoff"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"PauseHandoffInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pauseHandoff"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"handoff"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"handoffId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"run"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]} as unknown as DocumentNode<PauseHandoffMutation, PauseHandoffMutationVariables>;
export const ResumeHandoffDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ResumeHandoff"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ResumeHandoffInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"resumeHandoff"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"handoff"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"handoffId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"run"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]} as unknown as DocumentNode<ResumeHandoffMutation, ResumeHandoffMutationVariables>;
export const HandoffsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Handoffs"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"HandoffFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"HandoffOrder"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"handoffs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"HandoffRow"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"HandoffRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Handoff"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"handoffId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"handoffType"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}},{"kind":"Field","name":{"kind":"Name","value":"sourceAgent"}},{"kind":"Field","name":{"kind":"Name","value":"targetAgent"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}},{"kind":"Field","name":{"kind":"Name","value":"currentStep"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"procedure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"procedureId"}}]}}]}}]} as unknown as DocumentNode<HandoffsQuery, HandoffsQueryVariables>;
export const ProcedureIdsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ProcedureIds"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"procedures"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"procedureId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"requiredAgents"}},{"kind":"Field","name":{"kind":"Name","value":"requiredContextKeys"}},{"kind":"Field","name":{"kind":"Name","value":"dependencies"}},{"kind":"Field","name":{"kind":"Name","value":"validationRules"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"steps"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}}]}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"agents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ProcedureIdsQuery, ProcedureIdsQueryVariables>;
export const InitiateHandoffDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"InitiateHandoff"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"InitiateHandoffInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"initiateHandoff"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"handoff"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"handoffId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]} as unknown as DocumentNode<InitiateHandoffMutation, InitiateHandoffMutationVariables>;
export const OverviewSeriesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OverviewSeries"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"resolution"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SeriesResolution"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"insightSeries"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"resolution"},"value":{"kind":"Variable","name":{"kind":"Name","value":"resolution"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"points"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"counts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"created"}},{"kind":"Field","name":{"kind":"Name","value":"started"}},{"kind":"Field","name":{"kind":"Name","value":"completed"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}},{"kind":"Field","name":{"kind":"Name","value":"rolledBack"}},{"kind":"Field","name":{"kind":"Name","value":"rollbackFailed"}},{"kind":"Field","name":{"kind":"Name","value":"cancelled"}},{"kind":"Field","name":{"kind":"Name","value":"stepAttempts"}},{"kind":"Field","name":{"kind":"Name","value":"stepFailures"}},{"kind":"Field","name":{"kind":"Name","value":"stepTimeouts"}}]}},{"kind":"Field","name":{"kind":"Name","value":"successRate"}},{"kind":"Field","name":{"kind":"Name","value":"duration"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"Quantiles"}}]}},{"kind":"Field","name":{"kind":"Name","value":"wait"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"Quantiles"}}]}},{"kind":"Field","name":{"kind":"Name","value":"queueDepth"}},{"kind":"Field","name":{"kind":"Name","value":"queueDepthMax"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"counts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"created"}},{"kind":"Field","name":{"kind":"Name","value":"completed"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}},{"kind":"Field","name":{"kind":"Name","value":"rolledBack"}},{"kind":"Field","name":{"kind":"Name","value":"rollbackFailed"}},{"kind":"Field","name":{"kind":"Name","value":"cancelled"}},{"kind":"Field","name":{"kind":"Name","value":"stepAttempts"}},{"kind":"Field","name":{"kind":"Name","value":"stepFailures"}},{"kind":"Field","name":{"kind":"Name","value":"stepTimeouts"}}]}},{"kind":"Field","name":{"kind":"Name","value":"successRate"}},{"kind":"Field","name":{"kind":"Name","value":"duration"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"Quantiles"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"insightStatus"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"foldedThrough"}},{"kind":"Field","name":{"kind":"Name","value":"lagMs"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"Quantiles"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DurationQuantiles"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"p50"}},{"kind":"Field","name":{"kind":"Name","value":"p90"}},{"kind":"Field","name":{"kind":"Name","value":"p99"}}]}}]} as unknown as DocumentNode<OverviewSeriesQuery, OverviewSeriesQueryVariables>;
export const RecentFailuresDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"RecentFailures"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"since"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"handoffs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"10"}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"status"},"value":{"kind":"ListValue","values":[{"kind":"EnumValue","value":"FAILED"},{"kind":"EnumValue","value":"ROLLED_BACK"},{"kind":"EnumValue","value":"ROLLBACK_FAILED"}]}},{"kind":"ObjectField","name":{"kind":"Name","value":"updatedAt"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"since"}}}]}}]}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"field"},"value":{"kind":"EnumValue","value":"UPDATED_AT"}},{"kind":"ObjectField","name":{"kind":"Name","value":"direction"},"value":{"kind":"EnumValue","value":"DESC"}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"handoffId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"run"}},{"kind":"Field","name":{"kind":"Name","value":"errorCode"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"procedure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"procedureId"}}]}},{"kind":"Field","name":{"kind":"Name","value":"steps"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"errorCode"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<RecentFailuresQuery, RecentFailuresQueryVariables>;
export const QueueByKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"QueueByKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"metrics"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"queue"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"waiting"}},{"kind":"Field","name":{"kind":"Name","value":"maxConcurrent"}},{"kind":"Field","name":{"kind":"Name","value":"fairShareKey"}},{"kind":"Field","name":{"kind":"Name","value":"fairShareLimit"}},{"kind":"Field","name":{"kind":"Name","value":"keyCount"}},{"kind":"Field","name":{"kind":"Name","value":"byKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"waiting"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"limit"}}]}}]}}]}}]}}]} as unknown as DocumentNode<QueueByKeyQuery, QueueByKeyQueryVariables>;
export const ProcedureAdviceDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ProcedureAdvice"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"procedure"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"procedureId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"description"}}]}},{"kind":"Field","name":{"kind":"Name","value":"procedureAdvice"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"procedureId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"procedureId"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"timeoutMinSamples"}},{"kind":"Field","name":{"kind":"Name","value":"retryMinSamples"}},{"kind":"Field","name":{"kind":"Name","value":"steps"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stepId"}},{"kind":"Field","name":{"kind":"Name","value":"stepName"}},{"kind":"Field","name":{"kind":"Name","value":"currentTimeoutMs"}},{"kind":"Field","name":{"kind":"Name","value":"currentMaxAttempts"}},{"kind":"Field","name":{"kind":"Name","value":"currentInitialDelayMs"}},{"kind":"Field","name":{"kind":"Name","value":"pending"}},{"kind":"Field","name":{"kind":"Name","value":"statistics"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"attempts"}},{"kind":"Field","name":{"kind":"Name","value":"successes"}},{"kind":"Field","name":{"kind":"Name","value":"failures"}},{"kind":"Field","name":{"kind":"Name","value":"timeouts"}},{"kind":"Field","name":{"kind":"Name","value":"retries"}},{"kind":"Field","name":{"kind":"Name","value":"retrySuccesses"}}]}},{"kind":"Field","name":{"kind":"Name","value":"durations"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"p50"}},{"kind":"Field","name":{"kind":"Name","value":"p90"}},{"kind":"Field","name":{"kind":"Name","value":"p99"}},{"kind":"Field","name":{"kind":"Name","value":"p999"}},{"kind":"Field","name":{"kind":"Name","value":"max"}}]}},{"kind":"Field","name":{"kind":"Name","value":"timeout"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"recommendedMs"}},{"kind":"Field","name":{"kind":"Name","value":"observedP999Ms"}},{"kind":"Field","name":{"kind":"Name","value":"estimatedP999Ms"}},{"kind":"Field","name":{"kind":"Name","value":"method"}},{"kind":"Field","name":{"kind":"Name","value":"successesWithin"}},{"kind":"Field","name":{"kind":"Name","value":"timeoutsRecoveredEstimate"}},{"kind":"Field","name":{"kind":"Name","value":"wouldHaveSucceeded"}},{"kind":"Field","name":{"kind":"Name","value":"explanation"}}]}},{"kind":"Field","name":{"kind":"Name","value":"retry"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"recommendedMaxAttempts"}},{"kind":"Field","name":{"kind":"Name","value":"recommendedInitialDelayMs"}},{"kind":"Field","name":{"kind":"Name","value":"firstFailureRate"}},{"kind":"Field","name":{"kind":"Name","value":"retrySuccessRate"}},{"kind":"Field","name":{"kind":"Name","value":"explanation"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ProcedureAdviceQuery, ProcedureAdviceQueryVariables>;
export const ApplyProcedureAdviceDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ApplyProcedureAdvice"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ApplyProcedureAdviceInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"applyProcedureAdvice"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"procedure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"procedureId"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]} as unknown as DocumentNode<ApplyProcedureAdviceMutation, ApplyProcedureAdviceMutationVariables>;
export const OverviewDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Overview"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"metrics"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"handoffs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}},{"kind":"Field","name":{"kind":"Name","value":"successRate"}},{"kind":"Field","name":{"kind":"Name","value":"byStatus"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"activeSubscriptions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"webSocket"}},{"kind":"Field","name":{"kind":"Name","value":"sse"}}]}},{"kind":"Field","name":{"kind":"Name","value":"reliability"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tests"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"averageSuccessRate"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"agents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]}}]}}]} as unknown as DocumentNode<OverviewQuery, OverviewQueryVariables>;
export const LiveHandoffEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"LiveHandoffEvents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"handoffEvents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"handoffId"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"step"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}},{"kind":"Field","name":{"kind":"Name","value":"at"}}]}}]}}]} as unknown as DocumentNode<LiveHandoffEventsSubscription, LiveHandoffEventsSubscriptionVariables>;
export const ProceduresDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Procedures"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"procedures"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"procedureId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"estimatedDurationMs"}},{"kind":"Field","name":{"kind":"Name","value":"requiredContextKeys"}},{"kind":"Field","name":{"kind":"Name","value":"requiredAgents"}},{"kind":"Field","name":{"kind":"Name","value":"dependencies"}},{"kind":"Field","name":{"kind":"Name","value":"blockingSeverities"}},{"kind":"Field","name":{"kind":"Name","value":"validationRules"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}}]}},{"kind":"Field","name":{"kind":"Name","value":"steps"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"timeoutMs"}},{"kind":"Field","name":{"kind":"Name","value":"params"}},{"kind":"Field","name":{"kind":"Name","value":"validateRules"}},{"kind":"Field","name":{"kind":"Name","value":"retry"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxAttempts"}},{"kind":"Field","name":{"kind":"Name","value":"initialDelayMs"}},{"kind":"Field","name":{"kind":"Name","value":"maxDelayMs"}},{"kind":"Field","name":{"kind":"Name","value":"multiplier"}},{"kind":"Field","name":{"kind":"Name","value":"jitter"}}]}},{"kind":"Field","name":{"kind":"Name","value":"compensation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"timeoutMs"}},{"kind":"Field","name":{"kind":"Name","value":"params"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ProceduresQuery, ProceduresQueryVariables>;
export const CreateProcedureDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateProcedure"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateProcedureInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createProcedure"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"procedure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"procedureId"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]} as unknown as DocumentNode<CreateProcedureMutation, CreateProcedureMutationVariables>;
export const UpdateProcedureDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateProcedure"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateProcedureInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateProcedure"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"procedure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"procedureId"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]} as unknown as DocumentNode<UpdateProcedureMutation, UpdateProcedureMutationVariables>;
export const ReliabilityPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ReliabilityPage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reliabilityTestConfigs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"iterations"}},{"kind":"Field","name":{"kind":"Name","value":"concurrentLimit"}},{"kind":"Field","name":{"kind":"Name","value":"failureRate"}}]}},{"kind":"Field","name":{"kind":"Name","value":"reliabilityTests"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"testId"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"configId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"progress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"completed"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ReliabilityPageQuery, ReliabilityPageQueryVariables>;
export const ReliabilityTestDetailDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ReliabilityTestDetail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reliabilityTest"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"testId"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"configId"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"progress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"completed"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}},{"kind":"Field","name":{"kind":"Name","value":"running"}}]}},{"kind":"Field","name":{"kind":"Name","value":"result"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReliabilityResultFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReliabilityResultFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ReliabilityTestResult"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"iterations"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}},{"kind":"Field","name":{"kind":"Name","value":"successRate"}},{"kind":"Field","name":{"kind":"Name","value":"rollbackSuccessRate"}},{"kind":"Field","name":{"kind":"Name","value":"throughputPerSec"}},{"kind":"Field","name":{"kind":"Name","value":"latencyMs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"p50"}},{"kind":"Field","name":{"kind":"Name","value":"p95"}},{"kind":"Field","name":{"kind":"Name","value":"p99"}},{"kind":"Field","name":{"kind":"Name","value":"max"}}]}},{"kind":"Field","name":{"kind":"Name","value":"windows"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"startMs"}},{"kind":"Field","name":{"kind":"Name","value":"iterations"}},{"kind":"Field","name":{"kind":"Name","value":"latencyMs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"p50"}},{"kind":"Field","name":{"kind":"Name","value":"p95"}},{"kind":"Field","name":{"kind":"Name","value":"p99"}}]}}]}}]}}]} as unknown as DocumentNode<ReliabilityTestDetailQuery, ReliabilityTestDetailQueryVariables>;
export const ReliabilityProgressDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ReliabilityProgress"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reliabilityTestProgress"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"completed"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"at"}}]}}]}}]} as unknown as DocumentNode<ReliabilityProgressSubscription, ReliabilityProgressSubscriptionVariables>;
export const StartReliabilityTestDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"StartReliabilityTest"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"StartReliabilityTestInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"startReliabilityTest"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"test"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"testId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]} as unknown as DocumentNode<StartReliabilityTestMutation, StartReliabilityTestMutationVariables>;
export const ValidationRulesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ValidationRules"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"validationRules"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"condition"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ValidationRulesQuery, ValidationRulesQueryVariables>;
export const ValidationSessionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ValidationSessions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"validationSessions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"procedureId"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"results"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"ruleId"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ValidationSessionsQuery, ValidationSessionsQueryVariables>;
export const UpdateValidationRuleDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateValidationRule"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateValidationRuleInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateValidationRule"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rule"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"condition"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]} as unknown as DocumentNode<UpdateValidationRuleMutation, UpdateValidationRuleMutationVariables>;
export const ViewerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"keyName"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"agentId"}},{"kind":"Field","name":{"kind":"Name","value":"keysRequired"}}]}}]}}]} as unknown as DocumentNode<ViewerQuery, ViewerQueryVariables>;
export const WebhookSubscriptionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"WebhookSubscriptions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"webhookSubscriptions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"eventTypes"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}}]} as unknown as DocumentNode<WebhookSubscriptionsQuery, WebhookSubscriptionsQueryVariables>;
export const WebhookDeliveriesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"WebhookDeliveries"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"status"}},"type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"WebhookDeliveryStatus"}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"webhookSubscription"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"deliveries"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"25"}},{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"Variable","name":{"kind":"Name","value":"status"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"eventKey"}},{"kind":"Field","name":{"kind":"Name","value":"handoffId"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"eventType"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"attemptCount"}},{"kind":"Field","name":{"kind":"Name","value":"nextAttemptAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"attempts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"statusCode"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<WebhookDeliveriesQuery, WebhookDeliveriesQueryVariables>;
export const RedeliverWebhookDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RedeliverWebhook"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RedeliverWebhookInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"redeliverWebhook"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"delivery"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]} as unknown as DocumentNode<RedeliverWebhookMutation, RedeliverWebhookMutationVariables>;
export const SetWebhookEnabledDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetWebhookEnabled"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateWebhookInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateWebhook"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"webhookSubscription"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]} as unknown as DocumentNode<SetWebhookEnabledMutation, SetWebhookEnabledMutationVariables>;