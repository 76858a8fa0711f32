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

/**
 * The layer rules inside src/engine, and for src/store:
 * - src/engine/shared (clock, random, small data structures) imports nothing else of the engine;
 * - the kernel (src/engine/kernel) imports only itself and shared: it knows no module;
 * - a module (every other folder of src/engine) imports the kernel, shared, itself, and the modules
 *   MODULE_DEPENDENCIES (src/engine/module-dependencies.ts) declares for it, nothing else;
 * - src/store implements ports: from the engine it imports types from anywhere, and values only from
 *   port files (src/engine/kernel/ports, a module's *-store.ts / *-stores.ts).
 * engine.ts and engine-stores.ts, the composition of kernel and modules, may import every module.
 */
const ENGINE = join(ROOT, 'src', 'engine');

interface ImportOf {
  target: string;
  typeOnly: boolean;
}

/** The repository files a source file imports (relative imports only), and whether each import is type-only. */
function importsOf(path: string, source: string): ImportOf[] {
  const found: ImportOf[] = [];
  for (const match of source.matchAll(/^(?:import|export)\s+(type\s+)?([\s\S]*?)\s+from\s+'([^']+)';/gm)) {
    const [, typeKeyword, clause, specifier] = match;
    if (!specifier.startsWith('.')) continue;
    const names = clause
      .replace(/^\{|\}$/g, '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    const typeOnly =
      Boolean(typeKeyword) || (clause.startsWith('{') && names.every((name) => name.startsWith('type ')));
    found.push({ target: relative(ROOT, resolve(dirname(path), specifier)).replace(/\.js$/, '.ts'), typeOnly });
  }
  return found;
}

/** Which engine part a repository path belongs to: 'kernel', 'shared', a module's folder name, or 'composition'. */
function enginePartOf(path: string): string | null {
  const inside = relative(join(ROOT, 'src', 'engine'), join(ROOT, path));
  if (inside.startsWith('..')) return null;
  const [first] = inside.split('/');
  return first.endsWith('.ts') ? 'composition' : first;
}

function isPortFile(path: string): boolean {
  return path.startsWith('src/engine/kernel/ports/') || /-stores?\.ts$/.test(path);
}

/** Every rule of the engine's layers that the file at `path` (text `source`) breaks, one line each. */
function engineViolations(path: string, source: string, dependencies: Record<string, readonly string[]>): string[] {
  const where = relative(ROOT, path);
  const part = enginePartOf(where);
  const problems: string[] = [];
  for (const { target, typeOnly } of importsOf(path, source)) {
    const targetPart = enginePartOf(target);
    if (where.startsWith('src/store/')) {
      if (targetPart !== null && !typeOnly && !isPortFile(target))
        problems.push(`${where} imports values from ${target}, which is not a port`);
      continue;
    }
    if (part === null || part === 'composition' || targetPart === null || targetPart === part) continue;
    const allowed =
      part === 'shared' ? [] : part === 'kernel' ? ['shared'] : ['shared', 'kernel', ...(dependencies[part] ?? [])];
    if (!allowed.includes(targetPart)) problems.push(`${where} (${part}) imports ${target} (${targetPart})`);
  }
  return problems;
}

describe('layers inside the engine: a kernel, modules wired by a list, a store that implements ports', async () => {
  const { MODULE_DEPENDENCIES } = await import('../src/engine/module-dependencies.js');

  it('every engine folder is the kernel, shared, or a module with declared dependencies', () => {
    const folders = readdirSync(ENGINE, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(folders).toEqual(['kernel', 'shared', ...Object.keys(MODULE_DEPENDENCIES)].sort());
  });

  it('the kernel imports no module, modules import only what they declare, shared imports nothing', () => {
    const files = tsFiles(ENGINE);
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap((file) => engineViolations(file, readFileSync(file, 'utf8'), MODULE_DEPENDENCIES))).toEqual(
      [],
    );
  });

  it('src/store imports from the engine only types, and values from port files', () => {
    const files = tsFiles(join(ROOT, 'src', 'store'));
    expect(files.flatMap((file) => engineViolations(file, readFileSync(file, 'utf8'), MODULE_DEPENDENCIES))).toEqual(
      [],
    );
  });

  it('the check itself catches each kind of breach', () => {
    const deps = { tasks: ['agents'], agents: [], webhooks: [] };
    const check = (file: string, line: string) => engineViolations(join(ROOT, file), line, deps).length;
    expect(
      check('src/engine/kernel/runner/x.ts', "import { AgentService } from '../../agents/agent-service.js';"),
    ).toBe(1);
    expect(check('src/engine/kernel/runner/x.ts', "import type { AgentTask } from '../../tasks/agent-task.js';")).toBe(
      1,
    );
    expect(check('src/engine/shared/x.ts', "import { isFinal } from '../kernel/handoff/handoff.js';")).toBe(1);
    expect(check('src/engine/agents/x.ts', "import { taskFeedDraft } from '../tasks/task-feed.js';")).toBe(1);
    expect(check('src/engine/tasks/x.ts', "import { AgentService } from '../agents/agent-service.js';")).toBe(0);
    expect(check('src/engine/webhooks/x.ts', "import { isFinal } from '../kernel/handoff/handoff.js';")).toBe(0);
    expect(check('src/store/x.ts', "import { isFinal } from '../engine/kernel/handoff/handoff.js';")).toBe(1);
    expect(check('src/store/x.ts', "import type { Handoff } from '../engine/kernel/handoff/handoff.js';")).toBe(0);
    expect(check('src/store/x.ts', "import { DuplicateKeyError } from '../engine/kernel/ports/store-errors.js';")).toBe(
      0,
    );
  });
});
