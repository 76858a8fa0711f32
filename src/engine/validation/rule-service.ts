import type { Page, PageRequest } from '../kernel/ports/page.js';
import type { ProcedureStore } from '../kernel/ports/procedure-store.js';
import { DuplicateKeyError } from '../kernel/ports/store-errors.js';
import { SEVERITIES, type Severity } from '../kernel/procedures/procedure.js';
import { type Clock, startTimeout } from '../shared/clock.js';
import { fail, failAll, type Outcome, ok, type UserError } from '../shared/user-error.js';
import { checkCondition, PROBE_TIMEOUT_MS, probeCondition } from './condition.js';
import { conditionSandbox, usesRegex } from './condition-sandbox.js';
import { DEFAULT_RULE_TIMEOUT_MS, RULE_ID_PATTERN, type ValidationRule } from './rule.js';
import { describeReference, type RuleReference, referencesTo } from './rule-references.js';
import { SEED_RULE_UPGRADES, seedRules } from './seed-rules.js';
import { canonicalJson, sampleSubject } from './subject.js';
import type { RuleFilter, ValidationRuleStore } from './validation-stores.js';

export interface CreateRuleInput {
  id: string;
  name: string;
  description?: string | null;
  severity: Severity;
  condition?: unknown;
  enabled?: boolean | null;
  timeoutMs?: number | null;
}

export interface UpdateRuleInput {
  id: string;
  name?: string | null;
  description?: string | null;
  severity?: Severity | null;
  condition?: unknown;
  enabled?: boolean | null;
  timeoutMs?: number | null;
}

const MAX_TIMEOUT_MS = 60_000;

/** What deleting a rule did: the rule as it was, or userErrors and (RULE_IN_USE) the procedures that name it. */
export interface DeleteRuleOutcome {
  outcome: Outcome<ValidationRule>;
  referencedBy: RuleReference[];
}

/** Checks the fields given; a condition with regular expressions is also run once on a sample, in the sandbox. */
async function checkFields(input: Omit<UpdateRuleInput, 'id'>, clock: Clock): Promise<UserError[]> {
  const errors: UserError[] = [];
  if (input.name !== undefined && input.name !== null && (input.name.trim() === '' || input.name.length > 200)) {
    errors.push({ code: 'INVALID_VALUE', message: 'A name has 1 to 200 characters', field: ['input', 'name'] });
  }
  if (input.description && input.description.length > 2_000) {
    errors.push({
      code: 'INVALID_VALUE',
      message: 'A description has at most 2000 characters',
      field: ['input', 'description'],
    });
  }
  if (input.severity && !SEVERITIES.includes(input.severity)) {
    errors.push({
      code: 'INVALID_VALUE',
      message: `Severity must be one of ${SEVERITIES.join(', ')}`,
      field: ['input', 'severity'],
    });
  }
  if (
    input.timeoutMs !== undefined &&
    input.timeoutMs !== null &&
    (!Number.isInteger(input.timeoutMs) || input.timeoutMs < 1 || input.timeoutMs > MAX_TIMEOUT_MS)
  ) {
    errors.push({
      code: 'INVALID_VALUE',
      message: `timeoutMs must be a whole number from 1 to ${MAX_TIMEOUT_MS}`,
      field: ['input', 'timeoutMs'],
    });
  }
  if (input.condition === undefined) return errors;
  const field = ['input', 'condition'];
  const problems = checkCondition(input.condition, sampleSubject(), field);
  if (problems.length === 0 && usesRegex(input.condition)) {
    // The deadline is for the regex, not for starting the sandbox's thread (seconds on a busy machine).
    await conditionSandbox.ready();
    const deadline = new AbortController();
    const cancel = startTimeout(clock, PROBE_TIMEOUT_MS, () => deadline.abort(new Error('sample run timed out')));
    problems.push(
      ...(await probeCondition(input.condition as Record<string, unknown>, sampleSubject(), field, deadline.signal)),
    );
    cancel();
  }
  return [...errors, ...problems];
}

/** Defines validation rules: the seeds, and rules created or edited through the API. */
export class ValidationRuleService {
  constructor(
    private readonly repository: ValidationRuleStore,
    private readonly clock: Clock,
    /** Where the definitions that may name a rule live (current versions: what the next handoff runs). */
    private readonly procedures: Pick<ProcedureStore, 'list'>,
  ) {}

  /**
   * Stores each seed rule once per store: edits to them are kept across restarts, and a seed rule
   * that was deleted is not stored again (the store remembers which seeds it has had).
   */
  async seedDefaults(): Promise<void> {
    const seeded = await this.repository.seeded();
    const now = this.clock.now();
    for (const rule of seedRules(now)) {
      if (seeded.has(rule.id)) continue;
      // A store from before seeds were recorded already has them (possibly edited): keep those.
      if (!(await this.repository.get(rule.id))) {
        await this.repository.insert(rule).catch((error) => {
          if (!(error instanceof DuplicateKeyError)) throw error; // another process seeded it first
        });
      }
      await this.repository.recordSeeded(rule.id, now);
    }
    await this.upgradeSeeds(now);
  }

  /** Brings untouched seed rules up to their current condition (see SEED_RULE_UPGRADES). */
  private async upgradeSeeds(now: number): Promise<void> {
    const current = new Map(seedRules(now).map((rule) => [rule.id, rule]));
    for (const upgrade of SEED_RULE_UPGRADES) {
      const stored = await this.repository.get(upgrade.id);
      const seed = current.get(upgrade.id);
      if (!stored || !seed || canonicalJson(stored.condition) !== canonicalJson(upgrade.from)) continue;
      // A compare-and-set on the version: of several processes starting at once, one upgrades it.
      await this.repository.replace(
        {
          ...stored,
          condition: seed.condition,
          description: seed.description,
          version: stored.version + 1,
          updatedAt: now,
        },
        stored.version,
      );
    }
  }

  list(filter: RuleFilter = {}): Promise<ValidationRule[]> {
    return this.repository.list(filter);
  }

  /** A page of the rules `filter` matches, in id order. */
  page(filter: RuleFilter, request: PageRequest): Promise<Page<ValidationRule>> {
    return this.repository.page(filter, request);
  }

  count(filter: RuleFilter = {}): Promise<number> {
    return this.repository.count(filter);
  }

  get(id: string): Promise<ValidationRule | null> {
    return this.repository.get(id);
  }

  getMany(ids: readonly string[]): Promise<(ValidationRule | null)[]> {
    return this.repository.getMany(ids);
  }

  async create(input: CreateRuleInput): Promise<Outcome<ValidationRule>> {
    const errors: UserError[] = [];
    if (!RULE_ID_PATTERN.test(input.id)) {
      errors.push({
        code: 'INVALID_VALUE',
        message: 'A rule id has 1 to 64 letters, digits or _ . : -',
        field: ['input', 'id'],
      });
    }
    if (input.name === undefined || input.name === null) {
      errors.push({ code: 'INVALID_VALUE', message: 'A name is required', field: ['input', 'name'] });
    }
    errors.push(...(await checkFields({ ...input, condition: input.condition ?? null }, this.clock)));
    if (errors.length > 0) return failAll(errors);
    const now = this.clock.now();
    const rule: ValidationRule = {
      id: input.id,
      name: input.name.trim(),
      description: input.description ?? '',
      severity: input.severity,
      condition: input.condition as Record<string, unknown>,
      enabled: input.enabled ?? true,
      timeoutMs: input.timeoutMs ?? DEFAULT_RULE_TIMEOUT_MS,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.repository.insert(rule);
    } catch (error) {
      if (error instanceof DuplicateKeyError)
        return fail('DUPLICATE_KEY', `A rule "${input.id}" already exists`, ['input', 'id']);
      throw error;
    }
    return ok(rule);
  }

  /** Changes the given fields; the others stay. */
  async update(input: UpdateRuleInput): Promise<Outcome<ValidationRule>> {
    const errors = await checkFields(input, this.clock);
    if (errors.length > 0) return failAll(errors);
    const current = await this.repository.get(input.id);
    if (!current) return fail('NOT_FOUND', `No rule "${input.id}" exists`, ['input', 'id']);
    const next: ValidationRule = {
      ...current,
      name: input.name?.trim() ?? current.name,
      description: input.description ?? current.description,
      severity: input.severity ?? current.severity,
      condition: input.condition !== undefined ? (input.condition as Record<string, unknown>) : current.condition,
      enabled: input.enabled ?? current.enabled,
      timeoutMs: input.timeoutMs ?? current.timeoutMs,
      version: current.version + 1,
      updatedAt: this.clock.now(),
    };
    const stored = await this.repository.replace(next, current.version);
    return stored
      ? ok(stored)
      : fail('VERSION_CONFLICT', `Rule "${input.id}" was changed by someone else; read it again and retry`, [
          'input',
          'id',
        ]);
  }

  setEnabled(id: string, enabled: boolean): Promise<Outcome<ValidationRule>> {
    return this.update({ id, enabled });
  }

  /**
   * Deletes a rule no procedure names (gates, a step's validateRules, a validate step); otherwise
   * refuses with RULE_IN_USE and the procedures that do. Results already stored keep the rule's id,
   * name and severity as they were. A procedure defined while the delete runs may still name it:
   * its handoffs then get an ERROR for the missing rule, as for any unknown id.
   */
  async delete(id: string): Promise<DeleteRuleOutcome> {
    const current = await this.repository.get(id);
    if (!current) return { outcome: fail('NOT_FOUND', `No rule "${id}" exists`, ['input', 'id']), referencedBy: [] };
    const referencedBy = referencesTo(id, await this.procedures.list());
    if (referencedBy.length > 0) {
      const message =
        `Rule "${id}" is still named by ${referencedBy.map(describeReference).join(', ')}: ` +
        'update those procedures first, or disable the rule instead';
      return { outcome: fail('RULE_IN_USE', message, ['input', 'id']), referencedBy };
    }
    if (await this.repository.delete(id, current.version)) return { outcome: ok(current), referencedBy: [] };
    return {
      outcome: fail('VERSION_CONFLICT', `Rule "${id}" was changed by someone else; read it again and retry`, [
        'input',
        'id',
      ]),
      referencedBy: [],
    };
  }
}
