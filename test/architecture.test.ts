import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layer rule for src/schema (types and their documentation only):
 * - it imports nothing from src/resolvers, src/store, src/http, src/auth or the composition root;
 * - from src/engine and src/context.ts it imports types, plus constant lists (SCREAMING_CASE names such as
 *   HANDOFF_STATUSES) that enums are built from — never a function or service that does work;
 * - no resolve function reaches `context.engine` or `context.loaders`: a field that needs them is added by
 *   src/resolvers (builder.objectFields, or the implement…Node functions that take a loader).
 * And the other way round: src/resolvers declares no types (inputs, payloads, connections); it only adds fields.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCHEMA_DIR = join(ROOT, 'src', 'schema');
const FORBIDDEN = [
  'src/resolvers',
  'src/store',
  'src/http',
  'src/auth',
  'src/observability',
  'src/app.ts',
  'src/main.ts',
  'src/config.ts',
];
const TYPES_AND_CONSTANTS_ONLY = ['src/engine', 'src/context.ts'];
const CONSTANT_NAME = /^[A-Z][A-Z0-9_]*$/;

/** Every rule the file at `path` (its text `source`) breaks, one line each. */
function layerViolations(path: string, source: string): string[] {
  const problems: string[] = [];
  const where = relative(ROOT, path);
  for (const match of source.matchAll(/^import\s+(type\s+)?([\s\S]*?)\s+from\s+'([^']+)';/gm)) {
    const [, typeOnly, clause, specifier] = match;
    if (!specifier.startsWith('.')) continue;
    const target = relative(ROOT, resolve(dirname(path), specifier)).replace(/\.js$/, '.ts');
    const under = (prefixes: string[]) =>
      prefixes.some((prefix) => target === prefix || target.startsWith(`${prefix}/`));
    if (under(FORBIDDEN)) problems.push(`${where} imports ${target}`);
    if (!typeOnly && under(TYPES_AND_CONSTANTS_ONLY)) {
      if (!clause.startsWith('{')) {
        problems.push(`${where} imports a default or namespace from ${target}`);
        continue;
      }
      const names = clause
        .replace(/^\{|\}$/g, '')
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean);
      for (const name of names) {
        if (name.startsWith('type ') || CONSTANT_NAME.test(name.split(/\s+as\s+/)[0])) continue;
        problems.push(`${where} imports the value ${name} from ${target}`);
      }
    }
  }
  if (/\bimport\s*\(|\brequire\s*\(/.test(source)) problems.push(`${where} loads a module at run time`);
  for (const match of source.matchAll(/\.\s*(engine|loaders)\b/g))
    problems.push(`${where} reaches context.${match[1]}`);
  return problems;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? tsFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Where a resolvers file declares a GraphQL type itself (it may only add fields to the schema's types). */
function typesDeclaredIn(path: string, source: string): string[] {
  const declares =
    /\bbuilder\.(inputType|objectRef|objectType|enumType|interfaceRef|interfaceType|unionType|scalarType|connectionObject|edgeObject)\b|\b(payloadType|connectionType)\(/g;
  return [...source.matchAll(declares)].map((match) => `${relative(ROOT, path)} declares a type (${match[0]})`);
}

describe('layers: src/schema declares, src/resolvers resolves', () => {
  it('no schema file imports resolvers, calls the engine or reaches the loaders', () => {
    const files = tsFiles(SCHEMA_DIR);
    expect(files.length).toBeGreaterThan(10);
    expect(files.flatMap((file) => layerViolations(file, readFileSync(file, 'utf8')))).toEqual([]);
  });

  it('src/resolvers declares no types of its own: inputs, payloads and connections live in src/schema', () => {
    const files = tsFiles(join(ROOT, 'src', 'resolvers'));
    expect(files.flatMap((file) => typesDeclaredIn(file, readFileSync(file, 'utf8')))).toEqual([]);
    expect(
      typesDeclaredIn(join(ROOT, 'src', 'resolvers', 'x.ts'), "const Input = builder.inputType('X', {});"),
    ).toHaveLength(1);
  });

  it('src/mcp reaches the server only through its GraphQL API: it imports no other part of src', () => {
    const files = tsFiles(join(ROOT, 'src', 'mcp'));
    const outside = files.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/^import\s[\s\S]*?\sfrom\s+'(\.[^']+)';/gm)]
        .map((match) => relative(ROOT, resolve(dirname(file), match[1])))
        .filter((target) => !target.startsWith('src/mcp/'))
        .map((target) => `${relative(ROOT, file)} imports ${target}`),
    );
    expect(files.length).toBeGreaterThan(0);
    expect(outside).toEqual([]);
  });

  it('the check itself catches each kind of breach', () => {
    const file = join(SCHEMA_DIR, 'example.ts');
    const breaches = [
      "import { plainId } from '../resolvers/ids.js';",
      "import type { Loaders } from '../resolvers/loaders.js';",
      "import { rollbackSteps, type Procedure, SEVERITIES } from '../engine/procedures/procedure.js';",
      "import * as handoff from '../engine/handoffs/handoff.js';",
      'const status = (agent, _args, context) => context.engine.agents.statusOf(agent);',
      'const rule = (result, _args, context) => context.loaders.validationRules.load(result.ruleId);',
    ];
    expect(breaches.map((line) => layerViolations(file, line).length)).toEqual([1, 1, 1, 1, 1, 1]);
    const allowed = [
      "import { HANDOFF_STATUSES, type Handoff } from '../engine/handoffs/handoff.js';",
      "import type { GraphQLContext } from '../context.js';",
      "import { builder } from './builder.js';",
    ];
    expect(allowed.flatMap((line) => layerViolations(file, line))).toEqual([]);
  });
});
