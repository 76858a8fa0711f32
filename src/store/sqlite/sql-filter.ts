/**
 * Translates the document dialect's filters and sorts into SQL over a table of JSON documents
 * (`_id` column, `doc` JSON text). Every field reads as `json_extract(doc, '$.path')`, the same
 * expression the collection's indexes are built on, so SQLite's planner uses them.
 */
import type { Filter, SortSpec } from '../collection.js';

export interface SqlClause {
  sql: string;
  params: unknown[];
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `field` as a quoted SQL literal of a JSON path (dotted paths reach into nested objects). */
function jsonPathLiteral(field: string): string {
  const path = field
    .split('.')
    .map((part) => (PLAIN_KEY.test(part) ? part : `"${part.replace(/["\\]/g, '\\$&')}"`))
    .join('.');
  return `'$.${path.replace(/'/g, "''")}'`;
}

/** The SQL expression reading `field`. */
export function fieldExpression(field: string): string {
  return field === '_id' ? '_id' : `json_extract(doc, ${jsonPathLiteral(field)})`;
}

/** A JavaScript value as SQLite binds and json_extract returns it (booleans are 0/1 there). */
function bindable(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return value;
}

function equals(expression: string, value: unknown): SqlClause {
  // As in MongoDB, null matches a missing field too.
  if (value === null || value === undefined) return { sql: `${expression} IS NULL`, params: [] };
  return { sql: `${expression} = ?`, params: [bindable(value)] };
}

/** `IN` over one bound JSON array: one statement text whatever the list's length. */
function within(expression: string, values: unknown[], negate: boolean): SqlClause {
  const present = values.filter((value) => value !== null && value !== undefined);
  const withNull = present.length < values.length;
  const parts: string[] = [];
  const params: unknown[] = [];
  if (present.length > 0) {
    parts.push(`${expression} IN (SELECT value FROM json_each(?))`);
    params.push(JSON.stringify(present.map(bindable)));
  }
  if (withNull) parts.push(`${expression} IS NULL`);
  const any = parts.length === 0 ? '0' : parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
  if (!negate) return { sql: any, params };
  // NOT IN: a missing field is "not in" a list without null.
  return {
    sql: withNull || present.length === 0 ? `NOT ${any === '0' ? '0' : any}` : `(${expression} IS NULL OR NOT ${any})`,
    params,
  };
}

const COMPARISONS: Record<string, string> = { $lt: '<', $lte: '<=', $gt: '>', $gte: '>=' };

function condition(field: string, spec: unknown): SqlClause[] {
  const expression = fieldExpression(field);
  if (
    spec === null ||
    typeof spec !== 'object' ||
    Array.isArray(spec) ||
    !Object.keys(spec).some((key) => key.startsWith('$'))
  ) {
    return [equals(expression, spec)];
  }
  return Object.entries(spec as Record<string, unknown>).map(([op, arg]): SqlClause => {
    switch (op) {
      case '$eq':
        return equals(expression, arg);
      case '$ne': {
        if (arg === null || arg === undefined) return { sql: `${expression} IS NOT NULL`, params: [] };
        return { sql: `(${expression} IS NULL OR ${expression} <> ?)`, params: [bindable(arg)] };
      }
      case '$in':
        return within(expression, arg as unknown[], false);
      case '$nin':
        return within(expression, arg as unknown[], true);
      case '$elemMatch': {
        // Only the form the repositories use: an array field holding a given value.
        const match = arg as Record<string, unknown>;
        if (Object.keys(match).length !== 1 || !('$eq' in match))
          throw new Error('unsupported $elemMatch: only { $eq: value }');
        return {
          sql: `EXISTS (SELECT 1 FROM json_each(doc, ${jsonPathLiteral(field)}) WHERE value = ?)`,
          params: [bindable(match.$eq)],
        };
      }
      case '$exists': {
        const typeOf = field === '_id' ? "'text'" : `json_type(doc, ${jsonPathLiteral(field)})`;
        return { sql: `${typeOf} IS ${arg ? 'NOT ' : ''}NULL`, params: [] };
      }
      default: {
        const operator = COMPARISONS[op];
        if (!operator) throw new Error(`unsupported filter operator ${op}`);
        return { sql: `${expression} ${operator} ?`, params: [bindable(arg)] };
      }
    }
  });
}

function join(clauses: SqlClause[], operator: 'AND' | 'OR'): SqlClause {
  if (clauses.length === 0) return { sql: operator === 'AND' ? '1' : '0', params: [] };
  if (clauses.length === 1) return clauses[0]!;
  return {
    sql: `(${clauses.map((clause) => clause.sql).join(` ${operator} `)})`,
    params: clauses.flatMap((clause) => clause.params),
  };
}

/** A filter as a WHERE clause with its parameters. */
export function whereClause(filter: Filter): SqlClause {
  const clauses: SqlClause[] = [];
  for (const [key, spec] of Object.entries(filter)) {
    if (key === '$or') clauses.push(join((spec as Filter[]).map(whereClause), 'OR'));
    else if (key === '$and') clauses.push(join((spec as Filter[]).map(whereClause), 'AND'));
    else clauses.push(...condition(key, spec));
  }
  return join(clauses, 'AND');
}

export function orderByClause(sort: SortSpec | undefined): string {
  if (!sort || Object.keys(sort).length === 0) return '';
  return ` ORDER BY ${Object.entries(sort)
    .map(([field, direction]) => `${fieldExpression(field)} ${direction === -1 ? 'DESC' : 'ASC'}`)
    .join(', ')}`;
}
