import { describe, expect, it } from 'vitest';
import { ValidationRuleService } from '../../src/engine/validation/rule-service.js';
import { seedRules } from '../../src/engine/validation/seed-rules.js';
import { ProcedureRepository } from '../../src/store/repositories/procedure-repository.js';
import { ValidationRuleRepository } from '../../src/store/repositories/validation-rule-repository.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';

const OLD_VR005 = { 'derived.missingContextKeys': { $size: 0 } };

async function storeWithVr005(condition: Record<string, unknown>) {
  const db = SqliteDatabase.inMemory();
  const rules = await ValidationRuleRepository.open(db);
  for (const rule of seedRules(1)) {
    await rules.insert(rule.id === 'VR005' ? { ...rule, condition } : rule);
    await rules.recordSeeded(rule.id, 1);
  }
  const clock = { now: () => 2, sleep: async () => undefined };
  return { rules, service: new ValidationRuleService(rules, clock, await ProcedureRepository.open(db)) };
}

describe('seed rule upgrades', () => {
  it('brings a VR005 stored by an earlier version, untouched, up to checking receipts', async () => {
    const { rules, service } = await storeWithVr005(OLD_VR005);
    await service.seedDefaults();
    const upgraded = (await rules.get('VR005'))!;
    expect(upgraded).toMatchObject({
      version: 2,
      updatedAt: 2,
      condition: { 'derived.missingContextKeys': { $size: 0 }, 'derived.receiptConfirmed': { $ne: false } },
    });
    await service.seedDefaults();
    expect((await rules.get('VR005'))!.version).toBe(2);
  });

  it('leaves a VR005 an admin edited as it is', async () => {
    const edited = { 'context.task': { $exists: true } };
    const { rules, service } = await storeWithVr005(edited);
    await service.seedDefaults();
    expect((await rules.get('VR005'))!).toMatchObject({ version: 1, condition: edited });
  });
});
