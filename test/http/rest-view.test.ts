import { describe, expect, it } from 'vitest';
import { REST_FIELDS, restView } from '../../src/http/rest/rest-view.js';
import { schema } from '../../src/resolvers/index.js';

const view = restView(schema);
const fieldsOf = (type: string) => Object.keys((view.getType(type) as any).getFields()).sort();

describe('the REST view of the schema', () => {
  it('keeps exactly the REST root fields and no subscriptions', () => {
    expect(fieldsOf('Query')).toEqual([...REST_FIELDS.query].sort());
    expect(fieldsOf('Mutation')).toEqual([...REST_FIELDS.mutation].sort());
    expect(view.getSubscriptionType()).toBeUndefined();
  });

  it('names related resources by plain id and leaves out fields that take arguments', () => {
    const handoff = fieldsOf('Handoff');
    expect(handoff).toEqual(
      expect.arrayContaining(['handoffId', 'procedureId', 'sourceAgent', 'targetAgent', 'steps', 'status']),
    );
    expect(handoff).not.toContain('procedure');
    expect(handoff).not.toContain('source');
    expect(handoff).not.toContain('events');
  });

  it('keeps every field it shows as the served schema has it', () => {
    for (const type of Object.values(view.getTypeMap())) {
      if (type.name.startsWith('__') || !('getFields' in type)) continue;
      const served = schema.getType(type.name) as any;
      for (const [name, field] of Object.entries((type as any).getFields() as Record<string, any>)) {
        expect(String(served.getFields()[name]?.type), `${type.name}.${name}`).toBe(String(field.type));
      }
    }
  });
});
