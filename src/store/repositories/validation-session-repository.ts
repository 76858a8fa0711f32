import type { RuleResult, SessionOutcome } from '../../engine/validation/rule.js';
import type { RuleStats } from '../../engine/validation/rule-stats.js';
import type { ValidationSession } from '../../engine/validation/session.js';
import type { ValidationSubject } from '../../engine/validation/subject.js';
import type { SessionFilter, ValidationSessionStore } from '../../engine/validation/validation-stores.js';
import { type Collection, type Database, DuplicateKeyError, type Filter } from '../collection.js';
import { findManyInOrder, keysetPage, type Page, type PageRequest } from '../pagination.js';
import { RuleStatsRepository } from './validation-rule-stats-repository.js';

/** A session as stored: the subject as JSON text (its context is free-form and may hold `$` or dotted keys). */
type SessionDocument = Omit<ValidationSession, 'id' | 'subject'> & { _id: string; subject: string };

/**
 * `_id` is `${sessionId}/${ruleId}`: one result per rule per session, whoever writes it.
 * `counted`: the result is in the running figures (RuleStatsRepository); absent on results stored
 * before they were kept.
 */
type ResultDocument = RuleResult & { _id: string; sessionId: string; counted?: true };

function toSession(doc: SessionDocument): ValidationSession {
  return {
    id: doc._id,
    status: doc.status,
    outcome: doc.outcome,
    handoffId: doc.handoffId,
    procedureId: doc.procedureId,
    ruleIds: doc.ruleIds,
    blockingSeverities: doc.blockingSeverities,
    startedAt: doc.startedAt,
    finishedAt: doc.finishedAt,
    durationMs: doc.durationMs,
    subject: JSON.parse(doc.subject) as ValidationSubject,
  };
}

function toResult(doc: ResultDocument): RuleResult & { sessionId: string } {
  const { _id: _ignored, counted: _counted, ...result } = doc;
  return result;
}

/** Validation sessions and their per-rule results. */
export class ValidationSessionRepository implements ValidationSessionStore {
  private constructor(
    private readonly sessions: Collection<SessionDocument>,
    private readonly resultDocs: Collection<ResultDocument>,
    private readonly stats: RuleStatsRepository,
  ) {}

  static async open(db: Database): Promise<ValidationSessionRepository> {
    const sessions = await db.collection<SessionDocument>('validation_sessions', [
      { fields: ['startedAt'] },
      { fields: ['handoffId'] },
      { fields: ['status'] },
      { fields: ['outcome'] },
    ]);
    // Figures come from RuleStatsRepository, so results need no index by rule or severity.
    const results = await db.collection<ResultDocument>('validation_results', [{ fields: ['sessionId'] }]);
    return new ValidationSessionRepository(sessions, results, await RuleStatsRepository.open(db, results));
  }

  async insert(session: ValidationSession): Promise<void> {
    await this.sessions.insertOne({
      _id: session.id,
      status: session.status,
      outcome: session.outcome,
      handoffId: session.handoffId,
      procedureId: session.procedureId,
      ruleIds: session.ruleIds,
      blockingSeverities: session.blockingSeverities,
      startedAt: session.startedAt,
      finishedAt: session.finishedAt,
      durationMs: session.durationMs,
      subject: JSON.stringify(session.subject),
    });
  }

  async get(id: string): Promise<ValidationSession | null> {
    const doc = await this.sessions.findOne({ _id: id });
    return doc ? toSession(doc) : null;
  }

  getMany(ids: readonly string[]): Promise<(ValidationSession | null)[]> {
    return findManyInOrder(this.sessions, ids, toSession);
  }

  /** Records a result and counts it; false when this rule already has one in the session. */
  async addResult(sessionId: string, result: RuleResult): Promise<boolean> {
    try {
      await this.resultDocs.insertOne({ _id: `${sessionId}/${result.ruleId}`, sessionId, ...result, counted: true });
    } catch (error) {
      if (error instanceof DuplicateKeyError) return false;
      throw error;
    }
    await this.stats.add(result);
    return true;
  }

  async results(sessionId: string): Promise<RuleResult[]> {
    const docs = await this.resultDocs.find({ sessionId }, { sort: { seq: 1 } });
    return docs.map(toResult);
  }

  /** Results of many sessions in one read, grouped in the order asked. */
  async resultsOfMany(sessionIds: readonly string[]): Promise<RuleResult[][]> {
    const docs = await this.resultDocs.find({ sessionId: { $in: [...new Set(sessionIds)] } }, { sort: { seq: 1 } });
    const bySession = new Map<string, RuleResult[]>();
    for (const doc of docs) {
      const list = bySession.get(doc.sessionId) ?? [];
      list.push(toResult(doc));
      bySession.set(doc.sessionId, list);
    }
    return sessionIds.map((id) => bySession.get(id) ?? []);
  }

  /** RUNNING → COMPLETED, once: null when the session was already finished. */
  async complete(
    session: Pick<ValidationSession, 'id' | 'startedAt'>,
    outcome: SessionOutcome,
    finishedAt: number,
  ): Promise<ValidationSession | null> {
    const doc = await this.sessions.findOneAndUpdate(
      { _id: session.id, status: 'RUNNING' },
      { $set: { status: 'COMPLETED', outcome, finishedAt, durationMs: Math.max(0, finishedAt - session.startedAt) } },
    );
    return doc ? toSession(doc) : null;
  }

  /** Sessions a previous process left RUNNING. */
  async running(): Promise<ValidationSession[]> {
    return (await this.sessions.find({ status: 'RUNNING' })).map(toSession);
  }

  private filter(filter: SessionFilter): Filter {
    const query: Filter = {};
    if (filter.handoffId) query.handoffId = filter.handoffId;
    if (filter.procedureId) query.procedureId = filter.procedureId;
    if (filter.statuses) query.status = { $in: filter.statuses };
    if (filter.outcomes) query.outcome = { $in: filter.outcomes };
    return query;
  }

  /** Newest first. */
  page(filter: SessionFilter, request: PageRequest): Promise<Page<ValidationSession>> {
    return keysetPage(this.sessions, this.filter(filter), 'startedAt', request, toSession);
  }

  count(filter: SessionFilter): Promise<number> {
    return this.sessions.count(this.filter(filter));
  }

  ruleStats(): Promise<RuleStats[]> {
    return this.stats.all();
  }
}
