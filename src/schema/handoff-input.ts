import type { Handoff } from '../engine/kernel/handoff/handoff.js';
import { builder } from './builder.js';
import { HandoffRef, HandoffTypeEnum, PriorityEnum, SignalOutcomeEnum } from './handoff.js';
import { payloadType } from './user-error.js';

export const InitiateHandoffInput = builder.inputType('InitiateHandoffInput', {
  description: 'What to hand over, from whom to whom, by which procedure.',
  fields: (t) => ({
    handoffId: t.id({
      required: false,
      description:
        'Your idempotency key: initiating the same key twice returns the same handoff. Generated when omitted.',
    }),
    procedureId: t.id({ required: true, description: 'Procedure to run (plain or global id).' }),
    sourcePhase: t.string({ required: false, description: 'The phase work comes from.' }),
    targetPhase: t.string({ required: false, description: 'The phase work goes to.' }),
    sourceAgent: t.id({ required: false, description: 'Agent handing over (plain or global id).' }),
    targetAgent: t.id({
      required: false,
      description:
        'Agent receiving. Procedures that transfer context require it and require it registered (AGENT_NOT_REGISTERED otherwise); for others it is a label.',
    }),
    handoffType: t.field({
      type: HandoffTypeEnum,
      required: false,
      description: 'Kind of transfer (default from the procedure).',
    }),
    priority: t.field({ type: PriorityEnum, required: false, description: 'Queue priority (default MEDIUM).' }),
    metadata: t.field({
      type: 'JSON',
      required: false,
      description: 'The context to hand over and to validate (JSON object, at most 64 KiB).',
    }),
    deadlineMs: t.int({
      required: false,
      description:
        "Overall time limit from now, in ms (at most 30 days; default: the procedure's deadlineMs). Past it the handoff is cancelled and rolled back with errorCode DEADLINE_EXCEEDED; time spent PAUSED does not count.",
    }),
  }),
});

export const CancelHandoffInput = builder.inputType('CancelHandoffInput', {
  description: 'Which handoff to cancel and why.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'handoffId or global id.' }),
    reason: t.string({ required: false, description: 'Kept on the handoff and in its history.' }),
  }),
});

export const SignalHandoffInput = builder.inputType('SignalHandoffInput', {
  description: 'A signal for an AWAIT_SIGNAL step: approve it, or reject it with a reason.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'handoffId or global id.' }),
    step: t.string({
      required: true,
      description: 'The AWAIT_SIGNAL step id, or the AGENT_TASK step whose agent asked a question.',
    }),
    outcome: t.field({
      type: SignalOutcomeEnum,
      required: false,
      defaultValue: 'APPROVE',
      description: 'APPROVE (the default) or REJECT.',
    }),
    reason: t.string({
      required: false,
      description: 'Why (required to REJECT; at most 500 characters). Recorded on the step and its events.',
    }),
    payload: t.field({
      type: 'JSON',
      required: false,
      description: 'Recorded as the step output (`signal`) on approval.',
    }),
  }),
});

export const RetryHandoffInput = builder.inputType('RetryHandoffInput', {
  description: 'Which finished handoff to run again, from where, with what changed.',
  fields: (t) => ({
    id: t.id({
      required: true,
      description: 'handoffId or global id of a FAILED, ROLLED_BACK or ROLLBACK_FAILED handoff.',
    }),
    fromStep: t.string({
      required: false,
      description:
        'The step id to restart from. Default: the earliest of the step that failed and every step the rollback undid (COMPENSATED) or failed to undo (COMPENSATION_FAILED), since their effect is gone or unknown. An earlier step is allowed (it and the steps after it run again); a later one is refused (INVALID_STATE).',
    }),
    metadataPatch: t.field({
      type: 'JSON',
      required: false,
      description:
        'Top-level metadata keys to set before the run (a null value removes its key); the result is bounded like metadata (64 KiB).',
    }),
    expectedRun: t.int({
      required: false,
      description:
        "Retry only if the handoff's run is still this one (VERSION_CONFLICT otherwise): sending the same request again after a lost reply then cannot start a second new run.",
    }),
    reason: t.string({
      required: false,
      description: 'Why: recorded in its HANDOFF_REDRIVEN event (data.reason); at most 500 characters.',
    }),
  }),
});

export const PauseHandoffInput = builder.inputType('PauseHandoffInput', {
  description: 'Which handoff to pause and why.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'handoffId or global id.' }),
    reason: t.string({
      required: false,
      description: 'Kept on the handoff (pauseReason) and in its HANDOFF_PAUSED event; at most 500 characters.',
    }),
  }),
});

export const ResumeHandoffInput = builder.inputType('ResumeHandoffInput', {
  description: 'Which paused handoff to resume.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'handoffId or global id.' }),
    reason: t.string({
      required: false,
      description: 'Why: recorded in its HANDOFF_RESUMED event (data.reason); at most 500 characters.',
    }),
  }),
});

export const HandoffPayload = payloadType<Handoff>(
  'Handoff',
  'handoff',
  HandoffRef,
  'The result of a handoff operation.',
);
