import { HANDOFF_ORDER_FIELDS, SORT_DIRECTIONS } from '../engine/kernel/ports/handoff-order.js';
import { builder } from './builder.js';
import { AgentHandoffRoleEnum } from './context-delivery.js';
import { enumValues } from './enum-values.js';

/** The inputs that narrow and order handoff lists (and pick the handoffs of a bulk action). */

export const TimeRangeInput = builder.inputType('TimeRange', {
  description: 'A span of time: from (inclusive) up to before (exclusive); either end may be left open.',
  fields: (t) => ({
    from: t.field({ type: 'DateTime', required: false, description: 'At or after this time.' }),
    before: t.field({ type: 'DateTime', required: false, description: 'Strictly before this time.' }),
  }),
});

export const MetadataEqualsInput = builder.inputType('MetadataEquals', {
  description:
    'The metadata value at a path equals a JSON string, number or boolean (same type and value), or, with equals null or left out, is JSON null or missing. Paths name object keys only (arrays are not looked into). Not indexed: combine it with a narrower condition on large stores.',
  fields: (t) => ({
    path: t.string({
      required: true,
      description:
        'Object keys joined by dots, e.g. "customer.tier" (letters, digits, _ and - in each key; at most 16 keys).',
    }),
    equals: t.field({
      type: 'JSON',
      required: false,
      description: 'The value: a JSON string, number, boolean or null.',
    }),
  }),
});

export const AgentRoleFilterInput = builder.inputType('AgentRoleFilter', {
  description:
    "Handoffs whose agent is registered with a capability (its role), as the registry says now: the role is looked up when the list is read (or, for a bulk action, when it starts), so a re-registered agent's new capabilities apply at once.",
  fields: (t) => ({
    role: t.string({ required: true, description: 'The capability, e.g. "planning".' }),
    side: t.field({
      type: AgentHandoffRoleEnum,
      required: false,
      defaultValue: 'ANY',
      description: 'Which agent of the handoff must have it (default ANY: source or target).',
    }),
  }),
});

export const HandoffOrderFieldEnum = builder.enumType('HandoffOrderField', {
  description: 'What a handoff list is sorted by; the handoffId breaks ties, so every cursor names one position.',
  values: enumValues(HANDOFF_ORDER_FIELDS, {
    CREATED_AT: 'When it was initiated. Stable: paging never repeats or skips a handoff, whatever changes meanwhile.',
    UPDATED_AT:
      'When its latest transition was stored. A handoff that changes while you page moves: it may come again (ASC) or be passed over (DESC). Paging ASC from a saved cursor returns every handoff changed since.',
    PRIORITY:
      'Priority (LOW < MEDIUM < HIGH < CRITICAL), then creation time in the same direction. Stable like CREATED_AT.',
  }),
});

export const SortDirectionEnum = builder.enumType('SortDirection', {
  description: 'Ascending or descending.',
  values: enumValues(SORT_DIRECTIONS, {
    ASC: 'Smallest (oldest, lowest) first.',
    DESC: 'Largest (newest, highest) first.',
  }),
});

export const HandoffOrderInput = builder.inputType('HandoffOrder', {
  description: 'How a handoff list is sorted. A cursor belongs to its order: passing it with another one is an error.',
  fields: (t) => ({
    field: t.field({ type: HandoffOrderFieldEnum, required: true, description: 'What to sort by.' }),
    direction: t.field({
      type: SortDirectionEnum,
      required: false,
      defaultValue: 'DESC',
      description: 'Default DESC.',
    }),
  }),
});
