import type { Handoff } from '../kernel/handoff/handoff.js';
import type { HandoffEvent } from '../kernel/handoff/handoff-event.js';
import type { PauseRequest } from '../kernel/handoff/handoff-transitions.js';
import type { RedriveOptions } from '../kernel/handoff-levers.js';
import type { Actor } from '../shared/actor.js';
import type { Outcome } from '../shared/user-error.js';
import { type BulkItemOutcome, type BulkOperation, bulkMark } from './bulk-operation.js';

/** What bulk actions need of the handoff service: the single actions, with their own guards. */
export interface BulkActionServices {
  get(id: string): Promise<Handoff | null>;
  cancel(id: string, reason: string): Promise<Outcome<Handoff>>;
  /** The cancel recorded on a handoff (its reason), if any. */
  cancelRequestOf(id: string): Promise<{ reason: string } | null>;
  redrive(id: string, options: RedriveOptions, actor: Actor | null): Promise<Outcome<Handoff>>;
  pause(id: string, reason: string | null, actor: Actor | null): Promise<Outcome<Handoff>>;
  resume(id: string, actor: Actor | null, reason: string | null): Promise<Outcome<Handoff>>;
  /** The pause request last recorded on a handoff (asked, taken or withdrawn), if any. */
  pauseRequestOf(id: string): Promise<PauseRequest | null>;
  history(id: string, afterSeq: number, limit?: number): Promise<HandoffEvent[]>;
}

/**
 * One action over one handoff. It must recognise its own earlier effect (the operation's mark on
 * what it recorded) and count it DONE: a batch interrupted by a crash runs again after a restart,
 * and must neither act twice nor count a handoff twice.
 */
export interface BulkAction {
  /** The role a caller needs to start it: the one the single action needs. */
  role: 'operator' | 'admin';
  apply(handoff: Handoff, operation: BulkOperation, services: BulkActionServices): Promise<BulkItemOutcome>;
}

/** The reason recorded on each handoff: the operation's, ending with its mark (kept whole when cut). */
export function markedReason(operation: BulkOperation): string {
  return `${operation.reason} ${bulkMark(operation.id)}`.slice(-500);
}
