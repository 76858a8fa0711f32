/**
 * A docs page as the steps the docs test takes, in the page's order: GraphQL operations, shell commands, commands
 * left running, and the blocks it does not run with the reason the page gives. Any block the test can neither run
 * nor account for is a problem of the page: a new block that does not run fails the test.
 */
import { type OperationDefinitionNode, parse } from 'graphql';
import { type Directive, parseDirective } from './directives.js';
import { type FencedBlock, readFencedBlocks } from './markdown-blocks.js';

/** Where a block is, for messages and test names: `docs/operating.md:120`. */
export interface BlockPlace {
  file: string;
  line: number;
}

export type Check = { path: string; value: unknown };

export type Step =
  | (BlockPlace & {
      kind: 'graphql';
      name: string;
      operation: 'query' | 'mutation' | 'subscription';
      source: string;
      /** The variables as the page shows them (placeholders resolved when the step runs). */
      variables: unknown;
      expects: Check[];
      /** Run again (a subscription: read on) until every one of these holds. */
      until: Check[];
    })
  | (BlockPlace & {
      kind: 'shell';
      source: string;
      outputs: string[];
      /** Commands it needs that a machine may lack (python3…): without one, the block is listed as not run. */
      needs: string[];
    })
  | (BlockPlace & { kind: 'background'; source: string; readyWhen: string })
  | (BlockPlace & { kind: 'skip'; source: string; language: string; reason: string });

export interface PagePlan {
  file: string;
  /** Settings for the page's server, from its `server` block. */
  serverEnv: Record<string, string>;
  /** The `server` block, when there is one (listed with the blocks not run). */
  serverBlock: (BlockPlace & { source: string }) | null;
  steps: Step[];
  problems: string[];
}

const RUN_AS_SHELL = new Set(['sh', 'bash', 'shell']);
/** Shown, never run: transcripts, data, code in other languages. */
const SHOWN_ONLY = new Set(['console', 'text', 'json', 'ts', 'js', 'python', 'yaml', 'markdown']);
const SERVER_COMMAND = /^((?:[A-Z][A-Z0-9_]*=\S+\s+)*)npm start$/;

export function planPage(file: string, text: string): PagePlan {
  const { blocks, problems: markdownProblems } = readFencedBlocks(text);
  const plan: PagePlan = { file, serverEnv: {}, serverBlock: null, steps: [], problems: [] };
  const problem = (line: number, message: string) => plan.problems.push(`${file}:${line}: ${message}`);
  for (const message of markdownProblems) plan.problems.push(`${file}: ${message}`);

  blocks.forEach((block, index) => {
    const directives: Directive[] = [];
    for (const mark of block.marks) {
      const directive = parseDirective(mark);
      if ('problem' in directive) problem(block.line, directive.problem);
      else directives.push(directive);
    }
    const place = { file, line: block.line };
    const skip = directives.find((directive) => directive.kind === 'skip');
    if (skip) {
      if (directives.length > 1) problem(block.line, 'a skipped block takes no other docs-test comment');
      plan.steps.push({ ...place, kind: 'skip', source: block.source, language: block.language, reason: skip.reason });
      return;
    }
    if (block.language === 'graphql') return planGraphQL(plan, block, blocks[index + 1], directives, problem);
    if (RUN_AS_SHELL.has(block.language)) return planShell(plan, block, directives, problem);
    if (SHOWN_ONLY.has(block.language)) {
      const variables = directives.some((directive) => directive.kind === 'variables');
      if (directives.length > (variables ? 1 : 0))
        problem(block.line, `a ${block.language} block is not run: only "variables" (on json) or "skip" apply`);
      if (variables && (block.language !== 'json' || blocks[index - 1]?.language !== 'graphql'))
        problem(block.line, 'a variables block is a json block right after a graphql block');
      return;
    }
    problem(
      block.line,
      block.language
        ? `a ${block.language} block is neither run nor shown: use graphql, sh, or one of ${[...SHOWN_ONLY].join(', ')}`
        : 'a fenced block must name its language (graphql, sh, console, text, …)',
    );
  });
  return plan;
}

function planGraphQL(
  plan: PagePlan,
  block: FencedBlock,
  next: FencedBlock | undefined,
  directives: Directive[],
  problem: (line: number, message: string) => void,
): void {
  let operations: OperationDefinitionNode[];
  try {
    operations = parse(block.source).definitions.filter(
      (definition): definition is OperationDefinitionNode => definition.kind === 'OperationDefinition',
    );
  } catch (error) {
    problem(block.line, `the GraphQL does not parse: ${(error as Error).message}`);
    return;
  }
  const [operation] = operations;
  if (operations.length !== 1 || !operation?.name) {
    problem(block.line, 'a graphql block holds one named operation (GraphiQL runs one at a time, by name)');
    return;
  }
  let variables: unknown = null;
  if (next?.language === 'json' && next.marks.includes('variables')) {
    try {
      variables = JSON.parse(next.source);
    } catch (error) {
      problem(next.line, `the variables are not JSON: ${(error as Error).message}`);
    }
  }
  const expects: Check[] = [];
  const until: Check[] = [];
  for (const directive of directives) {
    if (directive.kind === 'expect') expects.push({ path: directive.path, value: directive.value });
    else if (directive.kind === 'until') until.push({ path: directive.path, value: directive.value });
    else problem(block.line, `"${directive.kind}" does not apply to a graphql block`);
  }
  if (operation.operation === 'subscription' && until.some((check) => !check.path.startsWith('last.')))
    problem(block.line, "a subscription's until paths start with last. (the result that matched is the last one)");
  plan.steps.push({
    file: plan.file,
    line: block.line,
    kind: 'graphql',
    name: operation.name.value,
    operation: operation.operation,
    source: block.source,
    variables,
    expects,
    until,
  });
}

function planShell(
  plan: PagePlan,
  block: FencedBlock,
  directives: Directive[],
  problem: (line: number, message: string) => void,
): void {
  const place = { file: plan.file, line: block.line };
  if (directives.some((directive) => directive.kind === 'server')) {
    const command = SERVER_COMMAND.exec(block.source.trim());
    if (!command || directives.length > 1) {
      problem(block.line, 'a server block is one line "VAR=value … npm start", with no other docs-test comment');
      return;
    }
    if (plan.serverBlock || plan.steps.some((step) => step.kind !== 'skip'))
      problem(block.line, 'a page has at most one server block, before any block that runs');
    plan.serverBlock = { ...place, source: block.source };
    for (const assignment of command[1]!.trim().split(/\s+/).filter(Boolean)) {
      const [name, ...value] = assignment.split('=');
      plan.serverEnv[name!] = value.join('=');
    }
    return;
  }
  const background = directives.find((directive) => directive.kind === 'background');
  if (background) {
    if (directives.length > 1) problem(block.line, 'a background block takes no other docs-test comment');
    plan.steps.push({ ...place, kind: 'background', source: block.source, readyWhen: background.readyWhen });
    return;
  }
  const outputs: string[] = [];
  const needs: string[] = [];
  for (const directive of directives) {
    if (directive.kind === 'output') outputs.push(directive.text);
    else if (directive.kind === 'needs') needs.push(directive.command);
    else problem(block.line, `"${directive.kind}" does not apply to a shell block`);
  }
  plan.steps.push({ ...place, kind: 'shell', source: block.source, outputs, needs });
}
