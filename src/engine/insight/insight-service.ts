import type { Handoff } from '../kernel/handoff/handoff.js';
import type { Procedure } from '../kernel/procedures/procedure.js';
import type { ProcedureService } from '../kernel/procedures/procedure-service.js';
import type { Clock } from '../shared/clock.js';
import { fail, type Outcome, ok } from '../shared/user-error.js';
import { DurationSketch } from './duration-sketch.js';
import { estimateEta, type HandoffEta } from './handoff-eta.js';
import type { FoldState, InsightStore, StepStats } from './insight-store.js';
import { adviseProcedure, type ProcedureAdvice, withAdviceApplied } from './procedure-advice.js';
import {
  checkSeriesQuery,
  readSeries,
  SERIES_RESOLUTIONS,
  type Series,
  type SeriesQuery,
  type SeriesResolution,
  type StepSeriesPoint,
  stepPoints,
} from './series-query.js';

/** How long a version's statistics are reused for ETAs before they are read again. */
const STATS_TTL_MS = 2_000;
const MAX_CACHED_VERSIONS = 500;

interface CachedVersion {
  readAt: number;
  remaining: Map<string, DurationSketch>;
}

/**
 * What the fold learned, for the API: series over a range, a handoff's ETA and slow flag, and each
 * procedure's timeout and retry advice, which an operator can apply as a new version.
 */
export class InsightService {
  private readonly versions = new Map<string, CachedVersion>();

  constructor(
    private readonly options: {
      store: InsightStore | null;
      procedures: ProcedureService;
      clock: Clock;
    },
  ) {}

  /** Whether the store keeps series (a store with no commit order of events has none). */
  get enabled(): boolean {
    return this.options.store !== null;
  }

  /** Where the fold stands (null before its first run, or with no insight store). */
  async foldState(): Promise<FoldState | null> {
    return this.options.store ? this.options.store.foldState() : null;
  }

  async series(query: SeriesQuery): Promise<Outcome<Series>> {
    const range = checkSeriesQuery(query, this.options.clock.now());
    if (!range.ok) return range;
    if (!this.options.store)
      return fail('INVALID_STATE', 'This store keeps no series (it has no commit order of events)');
    return ok(await readSeries(this.options.store, query, range.value));
  }

  /** One step's attempts, failures, timeouts and durations over a range. */
  async stepSeries(
    step: { procedureId: string; version: number; stepId: string },
    query: { from?: number | null; to?: number | null; resolution: SeriesResolution },
  ): Promise<Outcome<StepSeriesPoint[]>> {
    const range = checkSeriesQuery(query, this.options.clock.now());
    if (!range.ok) return range;
    if (!this.options.store) return ok([]);
    const { stored, ms } = SERIES_RESOLUTIONS[query.resolution];
    const buckets = await this.options.store.stepSeries(stored, step, range.value.from, range.value.to);
    return ok(stepPoints(buckets, range.value, ms));
  }

  async stepStats(procedureId: string, version?: number): Promise<StepStats[]> {
    return this.options.store ? this.options.store.stepStats(procedureId, version) : [];
  }

  /** The handoff's ETA (and slow flag) now; null when it is not running or too few of its version completed. */
  async eta(handoff: Handoff): Promise<HandoffEta | null> {
    if (!this.options.store || !['PENDING', 'RUNNING', 'WAITING'].includes(handoff.status)) return null;
    const version = await this.remainingOf(handoff.procedureId, handoff.procedureVersion);
    return estimateEta(handoff, (stepId) => version.remaining.get(stepId) ?? null, this.options.clock.now());
  }

  private async remainingOf(procedureId: string, version: number): Promise<CachedVersion> {
    const key = `${procedureId}|${version}`;
    const now = this.options.clock.now();
    const cached = this.versions.get(key);
    if (cached && now - cached.readAt < STATS_TTL_MS) return cached;
    const stats = await this.stepStats(procedureId, version);
    const fresh: CachedVersion = {
      readAt: now,
      remaining: new Map(stats.map((one) => [one.stepId, DurationSketch.decode(one.remaining)])),
    };
    if (this.versions.size >= MAX_CACHED_VERSIONS) this.versions.clear();
    this.versions.set(key, fresh);
    return fresh;
  }

  /** Timeout and retry advice for each step of the procedure's current version (or `version`). */
  async advice(procedureId: string, version?: number | null): Promise<Outcome<ProcedureAdvice>> {
    const procedure = await this.procedureAt(procedureId, version);
    if (!procedure.ok) return procedure;
    return ok(adviseProcedure(procedure.value, await this.stepStats(procedureId, procedure.value.version)));
  }

  /**
   * Stores the procedure's current version with the advice taken (for `stepIds`, or every step with
   * advice) as a new version; `expectedVersion` is the version the advice was read for.
   */
  async applyAdvice(
    procedureId: string,
    expectedVersion: number,
    stepIds: readonly string[] | null,
  ): Promise<Outcome<{ procedure: Procedure; changedSteps: string[] }>> {
    const advice = await this.advice(procedureId, null);
    if (!advice.ok) return advice;
    if (advice.value.version !== expectedVersion)
      return fail(
        'VERSION_CONFLICT',
        `The procedure is at version ${advice.value.version}, not ${expectedVersion}: read its advice again`,
        ['input', 'expectedVersion'],
      );
    const current = (await this.options.procedures.get(procedureId))!;
    const unknown = stepIds?.find((id) => !current.steps.some((step) => step.id === id));
    if (unknown) return fail('NOT_FOUND', `The procedure has no step "${unknown}"`, ['input', 'stepIds']);
    const { input, changed } = withAdviceApplied(current, advice.value, stepIds);
    if (changed.length === 0)
      return fail('INVALID_STATE', 'No step has advice yet: too few samples (see procedureAdvice)', [
        'input',
        'procedureId',
      ]);
    const updated = await this.options.procedures.update(input, expectedVersion);
    return updated.ok ? ok({ procedure: updated.value, changedSteps: changed }) : updated;
  }

  private async procedureAt(procedureId: string, version?: number | null): Promise<Outcome<Procedure>> {
    const procedure =
      version == null
        ? await this.options.procedures.get(procedureId)
        : await this.options.procedures.getVersion(procedureId, version);
    return procedure
      ? ok(procedure)
      : fail('NOT_FOUND', `No procedure "${procedureId}"${version == null ? '' : ` at version ${version}`}`, [
          'procedureId',
        ]);
  }
}
