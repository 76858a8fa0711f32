/**
 * The chain of dependencies that leads from procedure `id` back to itself, e.g. ["A", "B", "A"], or
 * null. A handoff of any procedure on such a chain could never start: each waits for another to
 * have completed first. `dependenciesOf` reads the stored definitions (null: none stored).
 */
export async function dependencyCycle(
  id: string,
  dependencies: readonly string[],
  dependenciesOf: (id: string) => Promise<readonly string[] | null>,
): Promise<string[] | null> {
  const visited = new Set<string>();
  // Depth-first over (procedure, path to it), without recursion: chains may be long.
  const pending: [string, string[]][] = dependencies.map((dependency) => [dependency, [id, dependency]]);
  while (pending.length > 0) {
    const [current, path] = pending.pop()!;
    if (current === id) return path;
    if (visited.has(current)) continue;
    visited.add(current);
    for (const next of (await dependenciesOf(current)) ?? []) pending.push([next, [...path, next]]);
  }
  return null;
}
