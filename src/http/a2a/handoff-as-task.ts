import { createHash } from 'node:crypto';
import { type Artifact, type Message, type Part, Role, type Task, TaskState } from '@a2a-js/sdk';
import { type Handoff, type StepRun, updatedAtOf } from '../../engine/kernel/handoff/handoff.js';
import { type AgentTask, hasOpenQuestion } from '../../engine/tasks/agent-task.js';

/**
 * A handoff as an A2A task (the task id and context id are the handoff id). How statuses map:
 *
 * | handoff                                   | A2A state       |
 * |-------------------------------------------|-----------------|
 * | PENDING                                   | submitted       |
 * | RUNNING, PAUSED, ROLLING_BACK             | working         |
 * | WAITING on an AWAIT_SIGNAL step           | input-required  |
 * | WAITING on an agent task that asks        | input-required  |
 * | WAITING on anything else                  | working         |
 * | COMPLETED                                 | completed       |
 * | FAILED by its validation gates (GATES_FAILED) | rejected    |
 * | FAILED, ROLLED_BACK, ROLLBACK_FAILED      | failed          |
 * | CANCELLED                                 | canceled        |
 *
 * Each step that succeeded with an output is an artifact (artifactId = step id, one data part).
 */

/** What the handoff waits for when it is input-required: the step, and what to tell the client. */
export interface InputWanted {
  step: StepRun;
  text: string;
  data: unknown;
}

/** The step whose input the handoff waits for now, if any. */
export function inputWanted(handoff: Handoff, openTasks: readonly AgentTask[]): InputWanted | null {
  if (handoff.status !== 'WAITING') return null;
  const step = handoff.steps[handoff.currentStep];
  if (step?.status !== 'WAITING') return null;
  if (step.kind === 'await_signal')
    return {
      step,
      text: `Step "${step.name}" waits for approval. Send a message on this task to approve it (its data part, or its text, is the signal's payload), or one with metadata {"outcome": "REJECT", "reason": "…"} to reject it.`,
      data: { step: step.id, kind: 'AWAIT_SIGNAL' },
    };
  const asking = openTasks.find((task) => task.actionId === step.id && hasOpenQuestion(task));
  if (step.kind === 'agent_task' && asking?.question)
    return {
      step,
      text: asking.question.text,
      data: { step: step.id, kind: 'AGENT_TASK', agentId: asking.agentId, question: asking.question.data ?? null },
    };
  return null;
}

function stateOf(handoff: Handoff, wanted: InputWanted | null): TaskState {
  switch (handoff.status) {
    case 'PENDING':
      return TaskState.TASK_STATE_SUBMITTED;
    case 'COMPLETED':
      return TaskState.TASK_STATE_COMPLETED;
    case 'CANCELLED':
      return TaskState.TASK_STATE_CANCELED;
    case 'FAILED':
      // Refused by its validation gates: nothing ran.
      return handoff.errorCode === 'GATES_FAILED' ? TaskState.TASK_STATE_REJECTED : TaskState.TASK_STATE_FAILED;
    case 'ROLLED_BACK':
    case 'ROLLBACK_FAILED':
      return TaskState.TASK_STATE_FAILED;
    case 'WAITING':
      return wanted ? TaskState.TASK_STATE_INPUT_REQUIRED : TaskState.TASK_STATE_WORKING;
    default:
      return TaskState.TASK_STATE_WORKING;
  }
}

function statusText(handoff: Handoff, wanted: InputWanted | null): string {
  if (wanted) return wanted.text;
  const step = handoff.steps[handoff.currentStep];
  const where = step ? `step "${step.name}" (${handoff.currentStep + 1} of ${handoff.steps.length})` : 'its last step';
  switch (handoff.status) {
    case 'PENDING':
      return 'Waiting for its turn to run';
    case 'RUNNING':
    case 'WAITING':
      return `Working on ${where}`;
    case 'PAUSED':
      return `Paused before ${where}`;
    case 'ROLLING_BACK':
      return `Rolling back: ${handoff.error ?? 'a step failed'}`;
    case 'COMPLETED':
      return 'Completed';
    case 'CANCELLED':
      return `Cancelled: ${handoff.cancelReason ?? handoff.error ?? 'on request'}`;
    default:
      return handoff.error ?? handoff.status;
  }
}

function dataPart(value: unknown): Part {
  return { content: { $case: 'data', value }, metadata: undefined, filename: '', mediaType: 'application/json' };
}

function textPart(text: string): Part {
  return { content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' };
}

function statusMessage(handoff: Handoff, wanted: InputWanted | null): Message {
  const text = statusText(handoff, wanted);
  return {
    // One id per distinct status: a client can tell a question asked again from the same one seen twice.
    messageId: `${handoff.id}:${createHash('sha256')
      .update(`${handoff.status}:${handoff.currentStep}:${wanted?.step.attempts ?? 0}:${text}`)
      .digest('hex')
      .slice(0, 16)}`,
    contextId: handoff.id,
    taskId: handoff.id,
    role: Role.ROLE_AGENT,
    parts: [
      textPart(text),
      dataPart({
        status: handoff.status,
        step: handoff.steps[handoff.currentStep]?.id ?? null,
        error: handoff.error,
        errorCode: handoff.errorCode ?? null,
        ...(wanted ? { input: wanted.data } : {}),
      }),
    ],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

/** The artifact of a step that succeeded with an output. */
export function stepArtifact(step: StepRun): Artifact {
  return {
    artifactId: step.id,
    name: step.name,
    description: `The output of step "${step.name}"`,
    parts: [dataPart(step.output)],
    metadata: undefined,
    extensions: [],
  };
}

export function artifactSteps(handoff: Handoff): StepRun[] {
  return handoff.steps.filter((step) => step.status === 'SUCCEEDED' && step.output !== null);
}

export function handoffAsTask(handoff: Handoff, openTasks: readonly AgentTask[]): Task {
  const wanted = inputWanted(handoff, openTasks);
  return {
    id: handoff.id,
    contextId: handoff.id,
    status: {
      state: stateOf(handoff, wanted),
      message: statusMessage(handoff, wanted),
      timestamp: new Date(updatedAtOf(handoff)).toISOString(),
    },
    artifacts: artifactSteps(handoff).map(stepArtifact),
    history: [],
    metadata: { procedureId: handoff.procedureId, handoffStatus: handoff.status },
  };
}

const FINISHED = new Set([
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
]);

/** A state the task never leaves (until a redrive runs the handoff again). */
export function isTerminal(task: Task): boolean {
  return FINISHED.has(task.status!.state);
}

/**
 * Where a stream of the task stops: a terminal state, or input-required (the client answers, then
 * follows again); not the input-required status whose message `answered` names (just answered,
 * the handoff has not moved on yet).
 */
export function endsStream(task: Task, answered: string | null = null): boolean {
  if (isTerminal(task)) return true;
  return task.status!.state === TaskState.TASK_STATE_INPUT_REQUIRED && task.status!.message?.messageId !== answered;
}
