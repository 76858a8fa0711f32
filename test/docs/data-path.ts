/**
 * Paths into an answer, as the docs-test comments write them: `handoff.steps.0.status`, `last.handoffProgress.type`.
 * And the placeholders of a variables block, `"<PATH from OperationName>"`: a value an earlier block answered.
 */

/** The value at `path` in `data`, or undefined when the path leads nowhere. */
export function valueAt(data: unknown, path: string): unknown {
  let value = data;
  for (const segment of path.split('.')) {
    if (Array.isArray(value)) value = segment === 'last' ? value.at(-1) : value[Number(segment)];
    else if (value !== null && typeof value === 'object') value = (value as Record<string, unknown>)[segment];
    else return undefined;
  }
  return value;
}

const PLACEHOLDER = /^<([\w.]+) from (\w+)>$/;

/**
 * `variables` with every placeholder string replaced by what it names in `answers` (operation name → data).
 * Throws when a placeholder names an operation that has not run, or a path that leads nowhere.
 */
export function resolvePlaceholders(variables: unknown, answers: ReadonlyMap<string, unknown>): unknown {
  if (typeof variables === 'string') {
    const placeholder = PLACEHOLDER.exec(variables);
    if (!placeholder) return variables;
    const [, path, operation] = placeholder as unknown as [string, string, string];
    if (!answers.has(operation)) throw new Error(`${variables}: no block named ${operation} ran before this one`);
    const value = valueAt(answers.get(operation), path);
    if (value === undefined) throw new Error(`${variables}: ${operation} answered nothing at ${path}`);
    return value;
  }
  if (Array.isArray(variables)) return variables.map((item) => resolvePlaceholders(item, answers));
  if (variables !== null && typeof variables === 'object')
    return Object.fromEntries(
      Object.entries(variables).map(([key, value]) => [key, resolvePlaceholders(value, answers)]),
    );
  return variables;
}

/** Every `userErrors` list anywhere in `data`, with the path it was found at. */
export function userErrorLists(data: unknown, path = ''): { path: string; errors: unknown[] }[] {
  if (Array.isArray(data)) return data.flatMap((item, index) => userErrorLists(item, join(path, String(index))));
  if (data === null || typeof data !== 'object') return [];
  return Object.entries(data).flatMap(([key, value]) =>
    key === 'userErrors' && Array.isArray(value)
      ? [{ path: join(path, key), errors: value }]
      : userErrorLists(value, join(path, key)),
  );
}

function join(path: string, segment: string): string {
  return path ? `${path}.${segment}` : segment;
}
