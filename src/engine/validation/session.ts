import type { Severity } from '../kernel/procedures/procedure.js';
import type { ResultStatus, SessionOutcome, SessionStatus } from './rule.js';
import type { ValidationSubject } from './subject.js';

/** One run of a rule set against one subject, stored with its per-rule results. */
export interface ValidationSession {
  id: string;
  status: SessionStatus;
  /** Null while RUNNING. */
  outcome: SessionOutcome | null;
  handoffId: string | null;
  procedureId: string | null;
  /** The rules run, in the order asked. */
  ruleIds: string[];
  blockingSeverities: Severity[];
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
  /** What the rules were run against. */
  subject: ValidationSubject;
}

/** One event of a session's progress: a rule result, or (last) the outcome. */
export interface ValidationProgressEvent {
  sessionId: string;
  /** 1..n for results in completion order; n+1 for the outcome. */
  seq: number;
  ruleId: string | null;
  severity: Severity | null;
  status: ResultStatus | null;
  message: string | null;
  /** The result's condition and values, for tools (see RuleResult.detail). */
  detail?: string | null;
  durationMs: number | null;
  outcome: SessionOutcome | null;
  at: number;
}
