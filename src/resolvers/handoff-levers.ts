import { builder } from '../schema/builder.js';
import { HandoffPayload, PauseHandoffInput, ResumeHandoffInput, RetryHandoffInput } from '../schema/handoff-input.js';
import { actorOf } from './actor.js';
import { plainId } from './ids.js';
import { toPayload } from './payload.js';

/** The operator's levers on one handoff besides cancel: retry (redrive), pause and resume. Same role as cancelHandoff. */

builder.mutationFields((t) => ({
  retryHandoff: t.field({
    type: HandoffPayload,
    description: [
      'Runs a FAILED, ROLLED_BACK or ROLLBACK_FAILED handoff again under the same id (a redrive). Its history continues:',
      'a HANDOFF_REDRIVEN event opens run n+1 (HandoffEvent.run), seq keeps increasing with no gap, and every earlier event stays.',
      'Steps before the restart point keep their status and output; the restart step and those after it start afresh (attempts from 1,',
      'within their retry policy; an await_signal step waits for a new signal: one given in an earlier run does not decide it). After a rollback the default restart point is the first step the rollback undid, because its effect',
      'is gone: nothing the handoff did stays undone behind it. Gates run again only when it restarts from the first step; its deadline,',
      'if it has one, starts again. Refused (userErrors) with INVALID_STATE for any other status, a handoff that was cancelled (a ROLLBACK_FAILED after a cancel needs a person), or a fromStep past the restart point;',
      'NOT_FOUND when the procedure version it ran is no longer stored, VERSION_CONFLICT when it changed meanwhile.',
    ].join(' '),
    authScopes: { operator: true },
    args: { input: t.arg({ type: RetryHandoffInput, required: true, description: 'Which one, from where.' }) },
    resolve: async (_root, { input }, context) =>
      toPayload(
        await context.engine.handoffs.redrive(
          plainId(String(input.id), 'Handoff'),
          {
            fromStep: input.fromStep ?? null,
            metadataPatch: (input.metadataPatch as Record<string, unknown> | null | undefined) ?? null,
            expectedRun: input.expectedRun ?? null,
            reason: input.reason?.slice(0, 500) ?? null,
          },
          actorOf(context),
        ),
      ),
  }),
  pauseHandoff: t.field({
    type: HandoffPayload,
    description:
      'Pauses a PENDING, RUNNING or WAITING handoff before its next step or attempt: an attempt in flight finishes (or times out) normally, then the handoff turns PAUSED (event HANDOFF_PAUSED). While PAUSED nothing starts, its retry back-off and deadline stand still, and it stays PAUSED across restarts; resumeHandoff continues it, cancelHandoff rolls it back. Returns at once (the status may still read RUNNING). Refused with INVALID_STATE when finished or rolling back, or when a cancel is recorded.',
    authScopes: { operator: true },
    args: { input: t.arg({ type: PauseHandoffInput, required: true, description: 'Which one.' }) },
    resolve: async (_root, { input }, context) =>
      toPayload(
        await context.engine.handoffs.pause(
          plainId(String(input.id), 'Handoff'),
          input.reason?.slice(0, 500) ?? null,
          actorOf(context),
        ),
      ),
  }),
  resumeHandoff: t.field({
    type: HandoffPayload,
    description:
      'Continues a PAUSED handoff where it stopped (event HANDOFF_RESUMED; its retry back-off and deadline move on by the time paused). On a handoff whose pause was asked for but not yet taken, withdraws the pause. Refused with INVALID_STATE otherwise.',
    authScopes: { operator: true },
    args: { input: t.arg({ type: ResumeHandoffInput, required: true, description: 'Which one.' }) },
    resolve: async (_root, { input }, context) =>
      toPayload(
        await context.engine.handoffs.resume(
          plainId(String(input.id), 'Handoff'),
          actorOf(context),
          input.reason?.slice(0, 500) ?? null,
        ),
      ),
  }),
}));
