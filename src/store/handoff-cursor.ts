import { type HandoffOrder, sortKeyLength } from '../engine/kernel/ports/handoff-order.js';
import { InvalidCursorError } from '../engine/kernel/ports/store-errors.js';

/** Where a handoff page left off: the sort key of the last row seen and its id. */
export interface HandoffPosition {
  key: number[];
  id: string;
}

function orderName(order: HandoffOrder): string {
  return `${order.field}:${order.direction}`;
}

/** An opaque cursor that names its order, so it cannot be used with another one by mistake. */
export function encodeHandoffCursor(order: HandoffOrder, position: HandoffPosition): string {
  return Buffer.from(JSON.stringify({ o: orderName(order), k: position.key, i: position.id }), 'utf8').toString(
    'base64url',
  );
}

function parse(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * The position a cursor names, for `order`. Cursors of the list before it had orders (a
 * [createdAt, id] pair) still work for the default order, CREATED_AT DESC.
 */
export function decodeHandoffCursor(order: HandoffOrder, cursor: string): HandoffPosition {
  const decoded = parse(cursor);
  if (Array.isArray(decoded) && decoded.length === 2 && isNumber(decoded[0]) && typeof decoded[1] === 'string') {
    if (order.field === 'CREATED_AT' && order.direction === 'DESC') return { key: [decoded[0]], id: decoded[1] };
    throw new InvalidCursorError(
      `The cursor belongs to the order CREATED_AT DESC, not ${order.field} ${order.direction}`,
    );
  }
  if (decoded === null || typeof decoded !== 'object') throw new InvalidCursorError();
  const { o, k, i } = decoded as { o?: unknown; k?: unknown; i?: unknown };
  if (typeof o !== 'string' || typeof i !== 'string' || !Array.isArray(k) || !k.every(isNumber))
    throw new InvalidCursorError();
  if (o !== orderName(order))
    throw new InvalidCursorError(
      `The cursor belongs to the order ${o.replace(':', ' ')}, not ${order.field} ${order.direction}`,
    );
  if (k.length !== sortKeyLength(order)) throw new InvalidCursorError();
  return { key: k, id: i };
}
