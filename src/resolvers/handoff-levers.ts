import { builder } from '../schema/builder.js';
import { actorOf } from './actor.js';
import { HandoffPayload } from './handoff.js';
import { plainId } from './ids.js';
import { toPayload } from './payload.js';

/** The operator's levers on one handoff besides cancel: retry (redrive), pause and resume. Same role as cancelHandoff. */

const RetryHandoffInput = builder.inputType('RetryHandoffInput', {
  description: 'Which finished handoff to run again, from where, with what changed.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'handoffId or global id of a FAILED, ROLLED_BACK or ROLLBACK_FAILED handoff.' }),
    fromStep: t.string({
      required: false,
      description:
        'The step id to restart from. Default: the earliest of the step that failed and every step the rollback undid (COMPENSATED) or failed to undo (COMPENSATION_FAILED), since their effect is gone or unknown. An earlier step is allowed (it and the steps after it run again); a later one is refused (WRONG_STATE).',
    }),
    metadataPatch: t.field({
      type: 'JSON',
      required: false,
      description: 'Top-level metadata keys to set before the run (a null value removes its key); the result is bounded like metadata (64 KiB).',
    }),
  }),
});

const PauseHandoffInput = builder.inputType('PauseHandoffInput', {
  description: 'Which handoff to pause and why.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'handoffId or global id.' }),
    reason: t.string({ required: false, description: 'Kept on the handoff (pauseReason) and in its HANDOFF_PAUSED event; at most 500 characters.' }),
  }),
});

const ResumeHandoffInput = builder.inputType('ResumeHandoffInput', {
  description: 'Which paused handoff to resume.',
  fields: (t) => ({ id: t.id({ required: true, description: 'handoffId or global id.' }) }),
});

builder.mutationFields((t) => ({
  retryHandoff: t.field({
    type: HandoffPayload,
    description: [
      'Runs a FAILED, ROLLED_BACK or ROLLBACK_FAILED handoff again under the same id (a redrive). Its history continues:',
      'a HANDOFF_REDRIVEN event opens run n+1 (HandoffEvent.run), seq keeps increasing with no gap, and every earlier event stays.',
      'Steps before the restart point keep their status and output; the restart step and those after it start afresh (attempts from 1,',
      'within their retry policy; an await_signal step waits for a new signal: one given in an earlier run does not decide it). After a rollback the default restart point is the first step the rollback undid, because its effect',
      'is gone: nothing the handoff did stays undone behind it. Gates run again only when it restarts from the first step; its deadline,',
      'if it has one, starts again. Refused (userErrors) with WRONG_STATE for any other status or a fromStep past the restart point,',
      'PROCEDURE_VERSION_GONE when the procedure version it ran is no longer stored, VERSION_CONFLICT when it changed meanwhile.',
    ].join(' '),
    authScopes: { operator: true },
    args: { input: t.arg({ type: RetryHandoffInput, required: true, description: 'Which one, from where.' }) },
    resolve: async (_root, { input }, context) =>
      toPayload(
        await context.engine.handoffs.redrive(
          plainId(String(input.id), 'Handoff'),
          { fromStep: input.fromStep ?? null, metadataPatch: (input.metadataPatch as Record<string, unknown> | null | undefined) ?? null },
          actorOf(context),
        ),
      ),
  }),
  pauseHandoff: t.field({
    type: HandoffPayload,
    description:
      'Pauses a PENDING, RUNNING or WAITING handoff before its next step or attempt: an attempt in flight finishes (or times out) normally, then the handoff turns PAUSED (event HANDOFF_PAUSED). While PAUSED nothing starts, its retry back-off and deadline stand still, and it stays PAUSED across restarts; resumeHandoff continues it, cancelHandoff rolls it back. Returns at once (the status may still read RUNNING). Refused with WRONG_STATE when finished or rolling back, CANCEL_REQUESTED when a cancel is recorded.',
    authScopes: { operator: true },
    args: { input: t.arg({ type: PauseHandoffInput, required: true, description: 'Which one.' }) },
    resolve: async (_root, { input }, context) =>
      toPayload(await context.engine.handoffs.pause(plainId(String(input.id), 'Handoff'), input.reason?.slice(0, 500) ?? null, actorOf(context))),
  }),
  resumeHandoff: t.field({
    type: HandoffPayload,
    description:
      'Continues a PAUSED handoff where it stopped (event HANDOFF_RESUMED; its retry back-off and deadline move on by the time paused). On a handoff whose pause was asked for but not yet taken, withdraws the pause. Refused with WRONG_STATE otherwise.',
    authScopes: { operator: true },
    args: { input: t.arg({ type: ResumeHandoffInput, required: true, description: 'Which one.' }) },
    resolve: async (_root, { input }, context) => toPayload(await context.engine.handoffs.resume(plainId(String(input.id), 'Handoff'), actorOf(context))),
  }),
}));
