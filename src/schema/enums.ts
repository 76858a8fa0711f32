import { SEVERITIES, STEP_KINDS } from '../engine/kernel/procedures/procedure.js';
import { builder } from './builder.js';
import { enumValues } from './enum-values.js';

const SEVERITY_DOCS: Record<(typeof SEVERITIES)[number], string> = {
  CRITICAL: 'Must pass: a failure blocks the handoff.',
  HIGH: 'Should pass: a failure is a warning unless the procedure lists HIGH as blocking.',
  MEDIUM: 'A failure is a warning unless the procedure lists MEDIUM as blocking.',
  LOW: 'Informational: a failure is a warning unless the procedure lists LOW as blocking.',
};

export const SeverityEnum = builder.enumType('ValidationSeverity', {
  description: 'How much a validation rule matters.',
  values: enumValues(SEVERITIES, SEVERITY_DOCS),
});

const STEP_KIND_DOCS: Record<(typeof STEP_KINDS)[number], string> = {
  validate: 'Runs a rule set (params.rules) through the validation engine; a blocking outcome fails the step.',
  transfer_context:
    "Copies the handoff's context keys (params.keys) to the target agent's inbox and records their digest; with params.awaitReceipt true it then waits until the target acknowledges exactly that (acknowledgeDelivery).",
  revert_context:
    "Removes the given context keys (params.keys) from the target agent's inbox: the undo of TRANSFER_CONTEXT.",
  await_signal: 'Waits (status WAITING) until signalHandoff approves or rejects this step, or the step times out.',
  agent_task:
    "Offers each attempt as a task to an agent (params.agentId, else the handoff's target agent, or its source with params.assignee \"source\") and waits (status WAITING) while a worker claims it, sends heartbeats (a claimed task silent for params.heartbeatTimeoutMs is taken back: a failed attempt) and completes it (its output becomes the step's) or fails it (retryable or not). params.input is the task's input. Also usable as a compensation.",
  webhook: 'POSTs JSON to params.url (an allow-listed host) within the timeout; any 2xx succeeds.',
  delay: 'Waits params.ms milliseconds.',
  simulate:
    'Takes params.durationMs (plus normal noise with standard deviation params.durationJitterMs) and fails with probability params.failureProbability: for demos, reliability tests and learned-duration tests.',
  noop: 'Does nothing and succeeds: a placeholder or a benchmark step.',
  sub_handoff:
    "Starts a handoff of another procedure (params.procedureId) as this one's child, with the context keys params.contextKeys (default: all of it) and the agents params.sourceAgent / params.targetAgent (default: this handoff's), and waits (status WAITING) until it finishes: the step succeeds when the child COMPLETED and fails for good otherwise. Cancelling this handoff cancels the child; rolling it back asks a COMPLETED child to roll back too (the step's own compensation unless it has another).",
};

export const StepKindEnum = builder.enumType('StepKind', {
  description: 'What a step does. Each kind reads its own `params`.',
  values: Object.fromEntries(
    STEP_KINDS.map((k) => [k.toUpperCase(), { value: k, description: STEP_KIND_DOCS[k] }]),
  ) as Record<string, { value: (typeof STEP_KINDS)[number]; description: string }>,
});
