import type { Actor } from '../shared/actor.js';
import type { Clock } from '../shared/clock.js';
import { inexactNumber, isJsonObject, jsonBytes } from '../shared/json-object.js';
import { fail, type Outcome, ok } from '../shared/user-error.js';
import type { UserErrorCode } from '../shared/user-error-codes.js';
import type { EventBus } from './events/event-bus.js';
import { redriveScope } from './handoff/graph-redrive.js';
import { requestRevert } from './handoff/graph-transitions.js';
import { type Handoff, runOf } from './handoff/handoff.js';
import type { PauseRequest } from './handoff/handoff-transitions.js';
import {
  isRefused,
  pause,
  type RefusalCode,
  redrive,
  resume,
  type TransitionResult,
} from './handoff/handoff-transitions.js';
import { duePause, PAUSE_SIGNAL } from './handoff/pause-request.js';
import type { HandoffStore } from './ports/handoff-store.js';
import type { ProcedureService } from './procedures/procedure-service.js';
import { stepsToUndo } from './runner/compensation-plan.js';
import { dueAtOf } from './scheduler/due-at.js';
import type { Scheduler } from './scheduler/scheduler.js';

/** Metadata after a redrive's patch is bounded like the metadata a handoff starts with (METADATA_LIMIT_BYTES in handoff-service). */
const METADATA_LIMIT_BYTES = 64 * 1024;
const PAUSABLE = ['PENDING', 'RUNNING', 'WAITING'];

export interface RedriveOptions {
  /** The step to restart from (default: see redriveStart). */
  fromStep?: string | null;
  /** Top-level keys to set in the metadata; a null value removes its key. */
  metadataPatch?: Record<string, unknown> | null;
  /**
   * Redrive only if the handoff is still at this run (VERSION_CONFLICT otherwise): a request sent again
   * after a lost reply cannot start a second new run.
   */
  expectedRun?: number | null;
  /** Why, recorded on the HANDOFF_REDRIVEN event (a bulk retry puts its operation id here). */
  reason?: string | null;
}

interface LeverDeps {
  repository: HandoffStore;
  procedures: Pick<ProcedureService, 'getVersion'>;
  clock: Clock;
  bus: EventBus;
  scheduler: Pick<Scheduler, 'offer' | 'withdrawQueued'>;
  /** Resolves when no run of the handoff is in progress in this process. */
  settled(id: string): Promise<void>;
}

/**
 * A refused transition as a userErrors code (the closed UserErrorCode list): a wrong state and a
 * recorded cancel are both INVALID_STATE (the message says which); a lost compare-and-set is a
 * VERSION_CONFLICT (read again, retry if it still applies).
 */
export function userErrorCodeOf(refusal: RefusalCode): UserErrorCode {
  return refusal === 'WRONG_STATE' || refusal === 'CANCEL_REQUESTED' ? 'INVALID_STATE' : 'VERSION_CONFLICT';
}

function notFound(id: string): Outcome<Handoff> {
  return fail('NOT_FOUND', `No handoff with id "${id}"`, ['input', 'id']);
}

/**
 * The operator's levers on one handoff: pause, resume and redrive (cancel is the service's). Each
 * works on one handoff, refuses with a typed user error (INVALID_STATE for a wrong state or a recorded
 * cancel, VERSION_CONFLICT, NOT_FOUND for the handoff or the procedure version it ran, INVALID_VALUE,
 * TOO_LARGE) instead of throwing, and changes the handoff only through a named transition stored as one
 * compare-and-set.
 */
export class HandoffLevers {
  constructor(private readonly deps: LeverDeps) {}

  /**
   * Records a pause request: the runner stops the handoff before its next step or attempt (an
   * attempt in flight finishes or times out first). A handoff waiting for its turn (PENDING, nobody
   * running it) pauses at once, before anything of it runs. Already PAUSED, or asked already: the same answer.
   */
  async pause(id: string, reason: string | null, actor: Actor | null): Promise<Outcome<Handoff>> {
    const { repository, clock } = this.deps;
    const handoff = await repository.get(id);
    if (!handoff) return notFound(id);
    if (handoff.status === 'PAUSED') return ok(handoff);
    if (!PAUSABLE.includes(handoff.status))
      return fail(
        'INVALID_STATE',
        `Handoff is ${handoff.status}: only a PENDING, RUNNING or WAITING handoff can be paused`,
        ['input', 'id'],
      );
    const requests = await repository.requests(id);
    if (requests?.cancelRequest)
      return fail(
        'INVALID_STATE',
        `Handoff is being cancelled (${requests.cancelRequest.reason}): it cannot be paused`,
        ['input', 'id'],
      );
    if (duePause(handoff, requests?.signals[PAUSE_SIGNAL])) return ok(handoff);
    const request = { number: (handoff.pausesHonoured ?? 0) + 1, reason, actor, at: clock.now() };
    if (!(await repository.recordSignal(id, PAUSE_SIGNAL, request, clock.now())))
      return fail('INVALID_STATE', 'Handoff finished before the pause arrived', ['input', 'id']);
    this.deps.bus.requests.publish({
      kind: 'signal',
      handoffId: id,
      name: PAUSE_SIGNAL,
      payload: request,
      local: true,
    });
    if (handoff.status === 'PENDING') await this.pauseQueued(id, request);
    return ok((await repository.get(id)) ?? handoff);
  }

  /**
   * A queued handoff nobody runs is paused now, by the same transition a runner would store (guarded
   * by its version and by nobody holding it); when a runner took it meanwhile, that runner honours the
   * recorded request before its next attempt instead.
   */
  private async pauseQueued(id: string, request: PauseRequest): Promise<void> {
    const { repository, clock, scheduler } = this.deps;
    const current = await repository.get(id);
    if (current?.status !== 'PENDING') return;
    const transition = pause(current, request, clock.now());
    if (isRefused(transition)) return;
    // Waiting in this process's queue, maybe under the lease its creation gave: taken out, paused under that lease.
    const queuedHere = scheduler.withdrawQueued(id);
    const stored = await repository.transition(
      transition.next,
      transition.events,
      clock.now(),
      queuedHere?.leaseOwner ?? null,
      {
        requireUnleased: !queuedHere?.leaseOwner,
        release: { dueAt: null },
      },
    );
    if (stored.applied) this.deps.bus.committed(stored.events);
    else if (queuedHere) scheduler.offer(current);
  }

  /**
   * PAUSED → PENDING, queued to go on where it stopped. A pause asked for but not yet taken is
   * withdrawn instead. Anything else is refused (WRONG_STATE).
   */
  async resume(id: string, actor: Actor | null, reason: string | null = null): Promise<Outcome<Handoff>> {
    const { repository, clock, bus } = this.deps;
    const handoff = await repository.get(id);
    if (!handoff) return notFound(id);
    if (handoff.status !== 'PAUSED') {
      const requests = await repository.requests(id);
      if (!PAUSABLE.includes(handoff.status) || !duePause(handoff, requests?.signals[PAUSE_SIGNAL])) {
        return fail('INVALID_STATE', `Handoff is ${handoff.status}, not PAUSED: there is nothing to resume`, [
          'input',
          'id',
        ]);
      }
      // Not taken yet: a request numbered like the last one honoured is one the runner ignores.
      const withdrawal = {
        number: handoff.pausesHonoured ?? 0,
        reason: `withdrawn by resumeHandoff${reason ? `: ${reason}` : ''}`,
        actor,
        at: clock.now(),
      };
      if (await repository.recordSignal(id, PAUSE_SIGNAL, withdrawal, clock.now()))
        bus.requests.publish({ kind: 'signal', handoffId: id, name: PAUSE_SIGNAL, payload: withdrawal, local: true });
      return ok((await repository.get(id)) ?? handoff);
    }
    // A run that leased it here (to honour a cancel, say) must have let it go before it is queued again.
    await this.deps.settled(id);
    return this.store(handoff, resume(handoff, actor, clock.now(), reason));
  }

  /**
   * Starts a FAILED, ROLLED_BACK or ROLLBACK_FAILED handoff again under the same id as its next run
   * (see redriveStart for where it restarts), with its metadata patched if asked.
   */
  async redrive(id: string, options: RedriveOptions, actor: Actor | null): Promise<Outcome<Handoff>> {
    const { repository, procedures, clock } = this.deps;
    const handoff = await repository.get(id);
    if (!handoff) return notFound(id);
    if (options.expectedRun != null && runOf(handoff) !== options.expectedRun) {
      return fail(
        'VERSION_CONFLICT',
        `Handoff is at run ${runOf(handoff)}, not ${options.expectedRun}: it was retried already`,
        ['input', 'expectedRun'],
      );
    }
    if (!['FAILED', 'ROLLED_BACK', 'ROLLBACK_FAILED'].includes(handoff.status)) {
      return fail(
        'INVALID_STATE',
        `Handoff is ${handoff.status}: only a FAILED, ROLLED_BACK or ROLLBACK_FAILED handoff can be retried`,
        ['input', 'id'],
      );
    }
    const requests = await repository.requests(id);
    // A recorded cancel stays with the handoff (the store refuses to complete it while one is recorded): one that
    // was cancelled, and whose undo then failed, needs a person, not another run.
    if (requests?.cancelRequest) {
      return fail(
        'INVALID_STATE',
        `Handoff was cancelled (${requests.cancelRequest.reason}) and is ${handoff.status}: a cancelled handoff is not retried`,
        ['input', 'id'],
      );
    }
    const procedure = await procedures.getVersion(handoff.procedureId, handoff.procedureVersion);
    if (!procedure) {
      return fail(
        'NOT_FOUND',
        `Procedure ${handoff.procedureId} v${handoff.procedureVersion}, which this handoff ran, is no longer stored`,
        ['input', 'id'],
      );
    }
    const start = redriveScope(handoff, procedure, options.fromStep ?? null);
    if ('refused' in start)
      return fail(userErrorCodeOf(start.refused.code), start.refused.message, ['input', start.refused.field]);
    const metadata = options.metadataPatch == null ? null : patched(handoff.metadata, options.metadataPatch);
    if (metadata && 'problem' in metadata) return fail(metadata.code, metadata.problem, ['input', 'metadataPatch']);
    // A pause asked for in the last run but never taken (it ended first) must not stop the new run.
    const stalePause = duePause(handoff, requests?.signals[PAUSE_SIGNAL]);
    const transition = redrive(
      handoff,
      procedure,
      {
        index: start.index,
        metadata: metadata?.value ?? null,
        actor,
        reason: options.reason ?? null,
        deadlineMs: handoff.deadlineMs ?? null,
        pausesHonoured: stalePause?.number ?? null,
        scope: start.scope ?? null,
      },
      clock.now(),
    );
    return this.store(handoff, transition);
  }

  /**
   * Asks a COMPLETED handoff to undo its completed steps (COMPLETED → ROLLING_BACK): how the rollback of
   * the handoff that started it as a sub-handoff reaches it. One rolling back or rolled back already: the
   * same answer.
   */
  async revert(id: string, reason: string): Promise<Outcome<Handoff>> {
    const { repository, procedures, clock } = this.deps;
    const handoff = await repository.get(id);
    if (!handoff) return notFound(id);
    if (handoff.revertRequest) return ok(handoff);
    const procedure = await procedures.getVersion(handoff.procedureId, handoff.procedureVersion);
    if (!procedure)
      return fail('NOT_FOUND', `Procedure ${handoff.procedureId} v${handoff.procedureVersion} is no longer stored`, [
        'input',
        'id',
      ]);
    const undo = stepsToUndo(handoff, procedure).map((index) => handoff.steps[index].id);
    return this.store(handoff, requestRevert(handoff, reason, undo, clock.now()));
  }

  /**
   * Stores a lever's transition (guarded by nobody holding the handoff: nobody runs a PAUSED or final
   * one), due at once, and offers it to this process's scheduler.
   */
  private async store(handoff: Handoff, transition: TransitionResult): Promise<Outcome<Handoff>> {
    if (isRefused(transition))
      return fail(userErrorCodeOf(transition.refused.code), transition.refused.message, ['input', 'id']);
    const { repository, clock, scheduler } = this.deps;
    const now = clock.now();
    const stored = await repository.transition(transition.next, transition.events, now, null, {
      requireUnleased: true,
      writesMetadata: transition.writesMetadata,
      release: { dueAt: dueAtOf(transition.next, now) },
    });
    if (!stored.applied) {
      return fail(
        userErrorCodeOf(stored.reason),
        `Handoff "${handoff.id}" changed while this ran (${stored.reason}): read it again and retry if it still applies`,
        ['input', 'id'],
      );
    }
    this.deps.bus.committed(stored.events);
    scheduler.offer(transition.next);
    return ok(transition.next);
  }
}

/** The metadata with `patch` applied (null removes a key), or why it cannot be. */
function patched(
  metadata: Record<string, unknown>,
  patch: Record<string, unknown>,
): { value: Record<string, unknown> } | { problem: string; code: UserErrorCode } {
  if (!isJsonObject(patch)) return { problem: 'metadataPatch must be a JSON object', code: 'INVALID_VALUE' };
  const inexact = inexactNumber(patch, 'metadataPatch');
  if (inexact) return { problem: inexact, code: 'INVALID_VALUE' };
  const value: Record<string, unknown> = { ...metadata };
  for (const [key, entry] of Object.entries(patch)) {
    if (entry === null) delete value[key];
    else Object.defineProperty(value, key, { value: entry, enumerable: true, writable: true, configurable: true });
  }
  if (jsonBytes(value) > METADATA_LIMIT_BYTES)
    return {
      problem: `metadata after the patch must be at most ${METADATA_LIMIT_BYTES} bytes as JSON`,
      code: 'TOO_LARGE',
    };
  return { value };
}
