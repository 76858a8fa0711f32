/** Pothos enum values from a list of keys and one description each (a value is its own name). */
export function enumValues<K extends string>(keys: readonly K[], docs: Record<K, string>) {
  return Object.fromEntries(keys.map((k) => [k, { value: k, description: docs[k] }])) as {
    [P in K]: { value: P; description: string };
  };
}
