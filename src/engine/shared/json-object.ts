/** A JSON object: not null, not an array (what context, metadata and conditions must be). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Size of a value as JSON text, in bytes (what storing it costs). */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '');
}

/**
 * Where `value` holds a number that JSON cannot carry exactly, as a path (`metadata.limits[0].max`)
 * with the reason, or null. Request bodies are parsed with JSON.parse and GraphQL literals with
 * parseFloat, so by the time a value gets here `1e400` reads as Infinity and 18446744073709551616
 * (2^64) as the nearest double: a number that is not finite, or a whole number beyond
 * ±Number.MAX_SAFE_INTEGER (2^53−1), is what such a loss leaves behind. Stored, it would read back as
 * `null` or as another number; refused, the caller can send it as a string. Walked without
 * recursion (values may nest 64 levels).
 */
export function inexactNumber(value: unknown, name: string): string | null {
  const pending: [unknown, string][] = [[value, name]];
  while (pending.length > 0) {
    const [item, path] = pending.pop()!;
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) return `${path} is not a finite number (it reads as ${item})`;
      if (Number.isInteger(item) && !Number.isSafeInteger(item))
        return `${path} is ${item}, beyond ±${Number.MAX_SAFE_INTEGER}: JSON cannot carry it exactly (send it as a string)`;
    } else if (Array.isArray(item)) {
      item.forEach((child, index) => pending.push([child, `${path}[${index}]`]));
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, child] of Object.entries(item)) pending.push([child, `${path}.${key}`]);
    }
  }
  return null;
}
