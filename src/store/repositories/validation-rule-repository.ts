import type { Page, PageRequest } from '../../engine/kernel/ports/page.js';
import type { Severity } from '../../engine/kernel/procedures/procedure.js';
import type { ValidationRule } from '../../engine/validation/rule.js';
import type { RuleFilter, ValidationRuleStore } from '../../engine/validation/validation-stores.js';
import { type Collection, type Database, DuplicateKeyError } from '../collection.js';
import { findManyInOrder, idOrderPage } from '../pagination.js';

interface RuleDocument {
  _id: string;
  severity: Severity;
  enabled: boolean;
  version: number;
  updatedAt: number;
  /** The whole rule as JSON text: a condition is full of `$` keys and dotted paths. */
  definition: string;
}

function toDocument(rule: ValidationRule): RuleDocument {
  return {
    _id: rule.id,
    severity: rule.severity,
    enabled: rule.enabled,
    version: rule.version,
    updatedAt: rule.updatedAt,
    definition: JSON.stringify(rule),
  };
}

function toRule(doc: RuleDocument): ValidationRule {
  return JSON.parse(doc.definition) as ValidationRule;
}

function ruleQuery(filter: RuleFilter): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  if (filter.enabled !== undefined) query.enabled = filter.enabled;
  if (filter.severities) query.severity = { $in: filter.severities };
  return query;
}

/** One seed rule that has been stored once (it may have been removed since). */
interface SeedMarkDocument {
  _id: string;
  seededAt: number;
}

/** Validation rules by id. */
export class ValidationRuleRepository implements ValidationRuleStore {
  private constructor(
    private readonly rules: Collection<RuleDocument>,
    private readonly seedMarks: Collection<SeedMarkDocument>,
  ) {}

  static async open(db: Database): Promise<ValidationRuleRepository> {
    return new ValidationRuleRepository(
      await db.collection<RuleDocument>('validation_rules'),
      await db.collection<SeedMarkDocument>('validation_rule_seeds'),
    );
  }

  async get(id: string): Promise<ValidationRule | null> {
    const doc = await this.rules.findOne({ _id: id });
    return doc ? toRule(doc) : null;
  }

  getMany(ids: readonly string[]): Promise<(ValidationRule | null)[]> {
    return findManyInOrder(this.rules, ids, toRule);
  }

  async list(filter: RuleFilter = {}): Promise<ValidationRule[]> {
    const docs = await this.rules.find(ruleQuery(filter), { sort: { _id: 1 } });
    return docs.map(toRule);
  }

  page(filter: RuleFilter, request: PageRequest): Promise<Page<ValidationRule>> {
    return idOrderPage(this.rules, ruleQuery(filter), request, toRule);
  }

  count(filter: RuleFilter = {}): Promise<number> {
    return this.rules.count(ruleQuery(filter));
  }

  /** DuplicateKeyError when the id is taken. */
  async insert(rule: ValidationRule): Promise<void> {
    await this.rules.insertOne(toDocument(rule));
  }

  /** Replaces version `expectedVersion` with `next`; null when someone else changed it first. */
  async replace(next: ValidationRule, expectedVersion: number): Promise<ValidationRule | null> {
    const { _id: _ignored, ...fields } = toDocument(next);
    const doc = await this.rules.findOneAndUpdate({ _id: next.id, version: expectedVersion }, { $set: fields });
    return doc ? toRule(doc) : null;
  }

  /** Removes the rule if it is still at `expectedVersion`. */
  delete(id: string, expectedVersion: number): Promise<boolean> {
    return this.rules.deleteOne({ _id: id, version: expectedVersion });
  }

  async seeded(): Promise<ReadonlySet<string>> {
    return new Set((await this.seedMarks.find({})).map((mark) => mark._id));
  }

  async recordSeeded(id: string, at: number): Promise<void> {
    try {
      await this.seedMarks.insertOne({ _id: id, seededAt: at });
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error; // recorded already (by another process)
    }
  }
}
