import { describe, expect, it } from 'vitest';
import type { Procedure } from '../../src/engine/kernel/procedures/procedure.js';
import { seedProcedures } from '../../src/engine/kernel/procedures/seed-procedures.js';
import { describeReference, referencesTo } from '../../src/engine/validation/rule-references.js';
import { ValidationRuleService } from '../../src/engine/validation/rule-service.js';
import { seedRules } from '../../src/engine/validation/seed-rules.js';
import type { Database } from '../../src/store/collection.js';
import { ValidationRuleRepository } from '../../src/store/repositories/validation-rule-repository.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { ManualClock } from '../support/manual-clock.js';

const SEED_IDS = seedRules(0).map((rule) => rule.id);

/** A rule service over `db`, as a freshly started process would make it. */
async function ruleService(db: Database, procedures: Procedure[] = []) {
  return new ValidationRuleService(await ValidationRuleRepository.open(db), new ManualClock(), {
    list: async () => procedures,
  });
}

async function ids(service: ValidationRuleService): Promise<string[]> {
  return (await service.list()).map((rule) => rule.id);
}

describe('rule references', () => {
  it('finds gates, steps that validate after themselves and validate actions, compensations included', () => {
    const [phase, agent] = seedProcedures(0);
    const custom: Procedure = {
      ...agent,
      id: 'CUSTOM',
      name: 'Custom',
      validationRules: [],
      steps: [
        {
          ...agent.steps[1],
          validateRules: ['VR006'],
          compensation: {
            id: 'recheck',
            name: 'Recheck',
            kind: 'validate',
            params: { rules: ['VR006'] },
            timeoutMs: 1,
          },
        },
      ],
    };
    expect(referencesTo('VR001', [phase, agent])).toEqual([
      {
        procedureId: 'PHASE_TRANSITION_STANDARD',
        procedureName: 'Standard Phase Transition',
        gate: true,
        afterSteps: [],
        validateSteps: ['phase_completion_validation'],
      },
    ]);
    const vr006 = referencesTo('VR006', [phase, agent, custom]);
    expect(vr006.map((reference) => describeReference(reference))).toEqual([
      'AGENT_HANDOFF_STANDARD (validate step agent_readiness_check)',
      'CUSTOM (after step task_context_transfer; validate step recheck)',
    ]);
    expect(referencesTo('VR999', [phase, agent])).toEqual([]);
  });
});

describe('deleting a rule', () => {
  it('refuses while a procedure names it, naming where; deletes it otherwise', async () => {
    const procedures = seedProcedures(0);
    const service = await ruleService(SqliteDatabase.inMemory(), procedures);
    await service.seedDefaults();

    const refused = await service.delete('VR002');
    expect(refused.outcome).toEqual({
      ok: false,
      errors: [
        {
          code: 'RULE_IN_USE',
          field: ['input', 'id'],
          message:
            'Rule "VR002" is still named by PHASE_TRANSITION_STANDARD (gates; after step resource_handoff): update those procedures first, or disable the rule instead',
        },
      ],
    });
    expect(refused.referencedBy).toEqual([
      expect.objectContaining({
        procedureId: 'PHASE_TRANSITION_STANDARD',
        gate: true,
        afterSteps: ['resource_handoff'],
      }),
    ]);
    expect(await ids(service)).toContain('VR002');

    await service.create({ id: 'FREE', name: 'Free', severity: 'LOW', condition: {} });
    const deleted = await service.delete('FREE');
    expect(deleted).toEqual({
      outcome: { ok: true, value: expect.objectContaining({ id: 'FREE', name: 'Free' }) },
      referencedBy: [],
    });
    expect(await service.get('FREE')).toBeNull();
    expect((await service.delete('FREE')).outcome).toMatchObject({ ok: false, errors: [{ code: 'NOT_FOUND' }] });
    // The id is free again.
    expect((await service.create({ id: 'FREE', name: 'Free again', severity: 'LOW', condition: {} })).ok).toBe(true);
  });
});

describe('seeding', () => {
  it('does not bring back a deleted seed rule, and keeps edited ones, at every later start', async () => {
    const db = SqliteDatabase.inMemory();
    const first = await ruleService(db);
    await first.seedDefaults();
    expect(await ids(first)).toEqual(SEED_IDS);
    expect((await first.delete('VR006')).outcome.ok).toBe(true);
    await first.update({ id: 'VR007', name: 'Permissions (edited)' });

    const next = await ruleService(db);
    await next.seedDefaults();
    expect(await ids(next)).toEqual(SEED_IDS.filter((id) => id !== 'VR006'));
    expect((await next.get('VR007'))?.name).toBe('Permissions (edited)');
  });

  it('takes over a store seeded before seeds were recorded: its rules and edits stay, and deletions then last', async () => {
    const db = SqliteDatabase.inMemory();
    const rules = await ValidationRuleRepository.open(db);
    // What an earlier version left: the seed rules, one edited, and no record of seeding.
    for (const rule of seedRules(0))
      await rules.insert(rule.id === 'VR003' ? { ...rule, name: 'Checksums', version: 2 } : rule);
    expect(await rules.seeded()).toEqual(new Set());

    const upgraded = await ruleService(db);
    await upgraded.seedDefaults();
    expect(await rules.seeded()).toEqual(new Set(SEED_IDS));
    expect((await upgraded.get('VR003'))?.name).toBe('Checksums');
    expect((await upgraded.delete('VR003')).outcome.ok).toBe(true);

    const restarted = await ruleService(db);
    await restarted.seedDefaults();
    expect(await restarted.get('VR003')).toBeNull();
  });
});
