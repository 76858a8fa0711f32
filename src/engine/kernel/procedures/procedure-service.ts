import type { Clock } from '../../shared/clock.js';
import { fail, failAll, type Outcome, ok, type UserError } from '../../shared/user-error.js';
import type { Page, PageRequest } from '../ports/page.js';
import type { ProcedureStore } from '../ports/procedure-store.js';
import { DuplicateKeyError } from '../ports/store-errors.js';
import type { StepKindHandlers } from '../steps/step-kind.js';
import { dependencyCycle } from './dependency-cycle.js';
import { checkGraph } from './graph-definition.js';
import type { Procedure } from './procedure.js';
import { checkProcedureInput, type ProcedureInput, toProcedure } from './procedure-definition.js';
import { seedProcedures } from './seed-procedures.js';
import type { ConditionEvaluator } from './step-condition.js';

export interface ProcedureServiceOptions {
  repository: ProcedureStore;
  clock: Clock;
  /** Ids of the validation rules that exist, for checking definitions. */
  knownRuleIds(): Promise<ReadonlySet<string>>;
  webhookAllowList: string[];
  /** What checks each kind's params. */
  stepKinds: StepKindHandlers;
  /** What checks steps' conditions. */
  conditions: ConditionEvaluator;
}

/** Reads and defines procedures. Updates create a new version; old versions stay readable. */
const CURRENT_CACHE_MS = 1_000;
const CURRENT_CACHE_LIMIT = 1_000;

export class ProcedureService {
  private readonly versionCache = new Map<string, Procedure>();
  /** Current definitions read recently: every initiate needs one, and they rarely change. */
  /** The read (or the read in flight: a burst of handoffs reads a procedure once) and when it started. */
  private readonly currentCache = new Map<string, { procedure: Promise<Procedure | null>; readAt: number }>();

  constructor(private readonly options: ProcedureServiceOptions) {}

  /**
   * Stores each seed procedure the store has never had: an edited one keeps its edits, and one that
   * was deleted stays deleted (its stored versions remember it was there).
   */
  async seedDefaults(): Promise<void> {
    for (const procedure of seedProcedures(this.options.clock.now())) {
      if ((await this.options.repository.latestVersion(procedure.id)) > 0) continue;
      await this.options.repository.insert(procedure).catch((error) => {
        if (!(error instanceof DuplicateKeyError)) throw error; // another process seeded it first
      });
    }
  }

  list(): Promise<Procedure[]> {
    return this.options.repository.list();
  }

  /** A page of procedures in id order. */
  page(request: PageRequest): Promise<Page<Procedure>> {
    return this.options.repository.page(request);
  }

  count(): Promise<number> {
    return this.options.repository.count();
  }

  /**
   * The current definition. Cached for CURRENT_CACHE_MS: changes made through this process are
   * seen at once; another process's change (a shared store) within that window.
   */
  async get(id: string): Promise<Procedure | null> {
    const now = this.options.clock.now();
    const cached = this.currentCache.get(id);
    if (cached && now - cached.readAt < CURRENT_CACHE_MS) return cached.procedure;
    const procedure = this.options.repository.get(id);
    if (this.currentCache.size >= CURRENT_CACHE_LIMIT) this.currentCache.clear();
    const entry = { procedure, readAt: now };
    this.currentCache.set(id, entry);
    // A failed read is not remembered: the next caller tries the store again.
    procedure.catch(() => this.currentCache.get(id) === entry && this.currentCache.delete(id));
    return procedure;
  }

  getMany(ids: readonly string[]): Promise<(Procedure | null)[]> {
    return this.options.repository.getMany(ids);
  }

  /** A pinned version; versions never change once stored, so they are cached. */
  async getVersion(id: string, version: number): Promise<Procedure | null> {
    const key = `${id}@${version}`;
    const cached = this.versionCache.get(key);
    if (cached) return cached;
    const procedure = await this.options.repository.getVersion(id, version);
    if (procedure) this.versionCache.set(key, procedure);
    return procedure;
  }

  async create(input: ProcedureInput): Promise<Outcome<Procedure>> {
    const problems = await this.check(input);
    if (problems.length > 0) return failAll(problems);
    const now = this.options.clock.now();
    // A deleted procedure's versions stay for the handoffs pinned to them: a new one with its id continues the numbering.
    const procedure = toProcedure(input, (await this.options.repository.latestVersion(input.id)) + 1, now, now);
    try {
      await this.options.repository.insert(procedure);
      this.currentCache.delete(input.id);
    } catch (error) {
      if (error instanceof DuplicateKeyError)
        return fail('DUPLICATE_KEY', `A procedure with id "${input.id}" exists`, ['input', 'id']);
      throw error;
    }
    return ok(procedure);
  }

  /** Replaces the definition as a new version; `expectedVersion` guards against lost updates. */
  async update(input: ProcedureInput, expectedVersion?: number | null): Promise<Outcome<Procedure>> {
    const current = await this.options.repository.get(input.id);
    if (!current) return fail('NOT_FOUND', `No procedure with id "${input.id}"`, ['input', 'id']);
    if (expectedVersion != null && expectedVersion !== current.version) {
      return fail('VERSION_CONFLICT', `Procedure is at version ${current.version}, not ${expectedVersion}`, [
        'input',
        'expectedVersion',
      ]);
    }
    const problems = await this.check(input);
    if (problems.length > 0) return failAll(problems);
    const next = toProcedure(input, current.version + 1, current.createdAt, this.options.clock.now());
    const conflict = () =>
      fail<Procedure>('VERSION_CONFLICT', 'The procedure was updated concurrently; read it again and retry', [
        'input',
        'id',
      ]);
    try {
      const stored = await this.options.repository.replace(next, current.version);
      this.currentCache.delete(input.id);
      return stored ? ok(stored) : conflict();
    } catch (error) {
      if (error instanceof DuplicateKeyError) return conflict();
      throw error;
    }
  }

  /** Removes the procedure; handoffs already running keep their pinned version. */
  async delete(id: string): Promise<Outcome<Procedure>> {
    const current = await this.options.repository.get(id);
    if (!current) return fail('NOT_FOUND', `No procedure with id "${id}"`, ['input', 'id']);
    await this.options.repository.delete(id);
    this.currentCache.delete(id);
    return ok(current);
  }

  private async check(input: ProcedureInput): Promise<UserError[]> {
    const problems = checkProcedureInput(input, {
      knownRuleIds: await this.options.knownRuleIds(),
      webhookAllowList: this.options.webhookAllowList,
      stepKinds: this.options.stepKinds,
    });
    problems.push(...(await checkGraph(input, this.options.conditions)));
    const cycle = await dependencyCycle(
      input.id,
      input.dependencies ?? [],
      async (id) => (await this.options.repository.get(id))?.dependencies ?? null,
    );
    if (cycle) {
      problems.push({
        field: ['input', 'dependencies'],
        code: 'DEPENDENCY_CYCLE',
        message: `dependencies would form a cycle (${cycle.join(' → ')}): a handoff of any of them could never start`,
      });
    }
    return problems;
  }
}
