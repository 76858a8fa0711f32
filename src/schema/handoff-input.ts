import type { Handoff } from '../engine/handoffs/handoff.js';
import { builder } from './builder.js';
import { HandoffRef, HandoffTypeEnum, PriorityEnum, SignalOutcomeEnum } from './handoff.js';
import { payloadType } from './user-error.js';

export const InitiateHandoffInput = builder.inputType('InitiateHandoffInput', {
  description: 'What to hand over, from whom to whom, by which procedure.',
  fields: (t) => ({
    handoffId: t.id({ required: false, description: 'Your idempotency key: initiating the same key twice returns the same handoff. Generated when omitted.' }),
    procedureId: t.id({ required: true, description: 'Procedure to run (plain or global id).' }),
    sourcePhase: t.string({ required: false, description: 'The phase work comes from.' }),
    targetPhase: t.string({ required: false, description: 'The phase work goes to.' }),
    sourceAgent: t.id({ required: false, description: 'Agent handing over (plain or global id).' }),
    targetAgent: t.id({
      required: false,
      description: 'Agent receiving. Procedures that transfer context require it and require it registered (AGENT_NOT_REGISTERED otherwise); for others it is a label.',
    }),
    handoffType: t.field({ type: HandoffTypeEnum, required: false, description: 'Kind of transfer (default from the procedure).' }),
    priority: t.field({ type: PriorityEnum, required: false, description: 'Queue priority (default MEDIUM).' }),
    metadata: t.field({ type: 'JSON', required: false, description: 'The context to hand over and to validate (JSON object, at most 64 KiB).' }),
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
    step: t.string({ required: true, description: 'The AWAIT_SIGNAL step id.' }),
    outcome: t.field({ type: SignalOutcomeEnum, required: false, defaultValue: 'APPROVE', description: 'APPROVE (the default) or REJECT.' }),
    reason: t.string({ required: false, description: 'Why (required to REJECT; at most 500 characters). Recorded on the step and its events.' }),
    payload: t.field({ type: 'JSON', required: false, description: 'Recorded as the step output (`signal`) on approval.' }),
  }),
});

export const HandoffPayload = payloadType<Handoff>('Handoff', 'handoff', HandoffRef, 'The result of a handoff operation.');
