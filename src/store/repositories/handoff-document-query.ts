import type { HandoffOrder } from '../../engine/kernel/ports/handoff-order.js';
import type { HandoffFilter, TimeRange } from '../../engine/kernel/ports/handoff-store.js';
import type { Filter, SortSpec } from '../collection.js';
import type { HandoffPosition } from '../handoff-cursor.js';

/**
 * A handoff filter and order in the document dialect, for the MongoDB repository (and its
 * stand-in on SQLite documents in the contract suite).
 */

/** Stands in for an array in `metaQuery`: equality filters compare scalars and never look into arrays. */
const ARRAY_STAND_IN = '\u0000array';
const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/**
 * The metadata as a document that filters can reach: only keys a metadata path can name (no `.`
 * or `$`, which MongoDB reads as syntax) and no arrays (MongoDB would match any element of one,
 * where a path names object keys only). The stored text stays the metadata of record.
 */
export function metadataForQueries(value: unknown): unknown {
  if (Array.isArray(value)) return ARRAY_STAND_IN;
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) if (PLAIN_KEY.test(key)) copy[key] = metadataForQueries(inner);
  return copy;
}

function range(field: string, time: TimeRange | undefined): Filter[] {
  if (!time || (time.from === undefined && time.before === undefined)) return [];
  const bounds: Record<string, number> = {};
  if (time.from !== undefined) bounds.$gte = time.from;
  if (time.before !== undefined) bounds.$lt = time.before;
  return [{ [field]: bounds }];
}

function agentsOf(filter: HandoffFilter): Filter[] {
  const parts: Filter[] = [];
  if (filter.agent) parts.push({ $or: [{ sourceAgent: filter.agent }, { targetAgent: filter.agent }] });
  if (filter.sourceAgent) parts.push({ sourceAgent: filter.sourceAgent });
  if (filter.targetAgent) parts.push({ targetAgent: filter.targetAgent });
  if (filter.agentIn) {
    const { ids, side } = filter.agentIn;
    if (side === 'SOURCE') parts.push({ sourceAgent: { $in: ids } });
    else if (side === 'TARGET') parts.push({ targetAgent: { $in: ids } });
    else parts.push({ $or: [{ sourceAgent: { $in: ids } }, { targetAgent: { $in: ids } }] });
  }
  return parts;
}

export function handoffDocumentFilter(filter: HandoffFilter): Filter {
  const parts: Filter[] = [];
  if (filter.status?.length) parts.push({ status: { $in: filter.status } });
  if (filter.procedureId?.length) parts.push({ procedureId: { $in: filter.procedureId } });
  if (filter.type?.length) parts.push({ type: { $in: filter.type } });
  parts.push(...agentsOf(filter));
  if (filter.sourcePhase !== undefined) parts.push({ sourcePhase: filter.sourcePhase });
  if (filter.testId) parts.push({ testId: filter.testId });
  else if (filter.test === true) parts.push({ testId: { $ne: null } });
  else if (filter.test === false) parts.push({ testId: null });
  parts.push(...range('createdAt', filter.createdAt), ...range('updatedAt', filter.updatedAt));
  if (filter.retrying !== undefined) parts.push({ retrying: filter.retrying });
  for (const { path, equals } of filter.metadata ?? [])
    parts.push({ [`metaQuery.${path.join('.')}`]: { $eq: equals } });
  if (filter.upTo) {
    const { createdAt, id } = filter.upTo;
    parts.push({ $or: [{ createdAt: { $lt: createdAt } }, { createdAt, _id: { $lte: id } }] });
  }
  if (parts.length === 0) return {};
  return parts.length === 1 ? parts[0]! : { $and: parts };
}

/** The document fields an order sorts on, before the `_id` tiebreak. */
export const ORDER_FIELDS: Record<HandoffOrder['field'], string[]> = {
  CREATED_AT: ['createdAt'],
  UPDATED_AT: ['updatedAt'],
  PRIORITY: ['priorityRank', 'createdAt'],
};

export function orderSort(order: HandoffOrder): SortSpec {
  const direction = order.direction === 'ASC' ? 1 : -1;
  return Object.fromEntries([...ORDER_FIELDS[order.field], '_id'].map((field) => [field, direction])) as SortSpec;
}

/** Rows after `position` in `order`: (k1 beyond) or (k1 equal and k2 beyond) … or (all equal and _id beyond). */
export function beyond(order: HandoffOrder, position: HandoffPosition): Filter {
  const fields = [...ORDER_FIELDS[order.field], '_id'];
  const values: (number | string)[] = [...position.key, position.id];
  const operator = order.direction === 'ASC' ? '$gt' : '$lt';
  return {
    $or: fields.map((field, index) => {
      const equal = Object.fromEntries(fields.slice(0, index).map((earlier, at) => [earlier, values[at]]));
      return { ...equal, [field]: { [operator]: values[index] } };
    }),
  };
}
