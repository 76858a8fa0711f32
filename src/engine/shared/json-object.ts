/** A JSON object: not null, not an array (what context, metadata and conditions must be). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
