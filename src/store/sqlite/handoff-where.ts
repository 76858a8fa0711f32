import type { HandoffFilter, MetadataEquality } from '../../engine/kernel/ports/handoff-store.js';

export interface SqlCondition {
  sql: string;
  params: unknown[];
}

/** Collects conditions; lists bind as one JSON array, so a statement's text does not depend on their length. */
function conditions() {
  const parts: string[] = [];
  const params: unknown[] = [];
  const inList = (column: string, values: string[] | undefined) => {
    if (!values?.length) return;
    if (values.length === 1) {
      parts.push(`${column} = ?`);
      params.push(values[0]);
    } else {
      parts.push(`${column} IN (SELECT value FROM json_each(?))`);
      params.push(JSON.stringify(values));
    }
  };
  const done = (): SqlCondition => ({ sql: parts.length > 0 ? parts.join(' AND ') : '1', params });
  return { parts, params, inList, done };
}

/**
 * A handoff filter as a condition on the running counts (handoff_counts), or null when it names
 * what they do not keep (an agent, a source phase, one test).
 */
export function countsWhere(filter: HandoffFilter): SqlCondition | null {
  if (filter.agent || filter.sourceAgent || filter.targetAgent || filter.sourcePhase !== undefined || filter.testId)
    return null;
  if (
    filter.createdAt ||
    filter.updatedAt ||
    filter.retrying !== undefined ||
    filter.agentIn ||
    filter.metadata?.length ||
    filter.upTo
  )
    return null;
  const { parts, inList, done } = conditions();
  inList('status', filter.status);
  inList('procedure_id', filter.procedureId);
  inList('type', filter.type);
  if (filter.test !== undefined) parts.push(`is_test = ${filter.test ? 1 : 0}`);
  return done();
}

/** A handoff filter as a WHERE condition on the handoffs table's columns. */
export function handoffWhere(filter: HandoffFilter): SqlCondition {
  const { parts, params, inList, done } = conditions();
  inList('status', filter.status);
  inList('procedure_id', filter.procedureId);
  inList('type', filter.type);
  if (filter.agent) {
    parts.push('(source_agent = ? OR target_agent = ?)');
    params.push(filter.agent, filter.agent);
  }
  for (const [column, agent] of [
    ['source_agent', filter.sourceAgent],
    ['target_agent', filter.targetAgent],
  ] as const) {
    if (!agent) continue;
    parts.push(`${column} = ?`);
    params.push(agent);
  }
  if (filter.sourcePhase !== undefined) {
    if (filter.sourcePhase === null) parts.push('source_phase IS NULL');
    else {
      parts.push('source_phase = ?');
      params.push(filter.sourcePhase);
    }
  }
  if (filter.testId) {
    parts.push('test_id = ?');
    params.push(filter.testId);
  } else if (filter.test === true) parts.push('test_id IS NOT NULL');
  else if (filter.test === false) parts.push('test_id IS NULL');
  for (const [column, range] of [
    ['created_at', filter.createdAt],
    ['updated_at', filter.updatedAt],
  ] as const) {
    if (range?.from !== undefined) {
      parts.push(`${column} >= ?`);
      params.push(range.from);
    }
    if (range?.before !== undefined) {
      parts.push(`${column} < ?`);
      params.push(range.before);
    }
  }
  // A literal, not a parameter: the planner matches it to the partial index of retrying handoffs.
  if (filter.retrying !== undefined) parts.push(`retrying = ${filter.retrying ? 1 : 0}`);
  if (filter.agentIn) {
    const { ids, side } = filter.agentIn;
    const columns =
      side === 'SOURCE' ? ['source_agent'] : side === 'TARGET' ? ['target_agent'] : ['source_agent', 'target_agent'];
    if (ids.length === 0) parts.push('0');
    else {
      parts.push(`(${columns.map((column) => `${column} IN (SELECT value FROM json_each(?))`).join(' OR ')})`);
      for (const _ of columns) params.push(JSON.stringify(ids));
    }
  }
  for (const equality of filter.metadata ?? []) {
    const condition = metadataEquals(equality);
    parts.push(condition.sql);
    params.push(...condition.params);
  }
  if (filter.upTo) {
    parts.push('(created_at, id) <= (?, ?)');
    params.push(filter.upTo.createdAt, filter.upTo.id);
  }
  return done();
}

/** A JSON path for SQLite's json functions; every key quoted, so no key is read as syntax. */
export function metadataPath(path: string[]): string {
  return `$${path.map((key) => `."${key.replace(/["\\]/g, '')}"`).join('')}`;
}

/** The value at a metadata path has the same JSON type and value (null: JSON null or missing). */
function metadataEquals({ path, equals }: MetadataEquality): SqlCondition {
  const at = metadataPath(path);
  if (equals === null) return { sql: "coalesce(json_type(metadata, ?), 'null') = 'null'", params: [at] };
  if (typeof equals === 'boolean')
    return { sql: 'json_type(metadata, ?) = ?', params: [at, equals ? 'true' : 'false'] };
  const types = typeof equals === 'number' ? "('integer', 'real')" : "('text')";
  return { sql: `(json_type(metadata, ?) IN ${types} AND json_extract(metadata, ?) = ?)`, params: [at, at, equals] };
}
