/**
 * Runs a page's steps in order against the page's server and checks each as the page states it: a GraphQL answer
 * without `errors` and with empty `userErrors` (unless the page expects some), the values the page's `expect` and
 * `until` comments name, a shell block that exits 0 and prints what its `output` comments say.
 */
import { isDeepStrictEqual } from 'node:util';
import { expect } from 'vitest';
import { resolvePlaceholders, userErrorLists, valueAt } from './data-path.js';
import { type DocsServer, type GraphQLAnswer, startDocsServer } from './docs-server.js';
import type { Check, PagePlan, Step } from './page-plan.js';
import { type BackgroundCommand, runShell, startBackground } from './shell-commands.js';
import { shellEnvironment, withTestServer } from './substitutions.js';

/** Stops a shell block that hangs (a guard against a stalled page, not a speed check). */
const SHELL_GUARD_MS = 180_000;
/** Between two runs of a query that waits for a state reached in the background (`until`). */
const POLL_MS = 50;

type Answer = GraphQLAnswer['data'] | GraphQLAnswer['data'][];

export class PageRun {
  /** What each operation answered, by name: a subscription's is the list of its results' data. */
  readonly answers = new Map<string, Answer>();
  private readonly background: BackgroundCommand[] = [];

  private constructor(private readonly server: DocsServer) {}

  static async start(plan: PagePlan): Promise<PageRun> {
    const needsPort = plan.steps.some((step) => step.kind === 'shell' || step.kind === 'background');
    return new PageRun(await startDocsServer(plan.serverEnv, needsPort));
  }

  async run(step: Step): Promise<void> {
    if (step.kind === 'graphql') {
      if (step.operation === 'subscription') await this.subscription(step);
      else await this.operation(step);
    } else if (step.kind === 'shell') await this.shell(step);
    else if (step.kind === 'background') await this.startBackground(step);
  }

  async close(): Promise<void> {
    await Promise.all(this.background.map((command) => command.stop()));
    await this.server.close();
  }

  private async operation(step: Extract<Step, { kind: 'graphql' }>): Promise<void> {
    const variables = resolvePlaceholders(step.variables, this.answers);
    let answer = await this.server.request(step.source, variables);
    while (!answer.errors && !matchesAll(answer.data, step.until)) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      answer = await this.server.request(step.source, variables);
    }
    expect(answer.errors, `${step.name} answered errors`).toBeUndefined();
    this.answers.set(step.name, answer.data);
    checkAnswer(step.name, answer.data, step.expects);
  }

  private async subscription(step: Extract<Step, { kind: 'graphql' }>): Promise<void> {
    const variables = resolvePlaceholders(step.variables, this.answers);
    // A subscription reads on until one result satisfies every until (their paths start with `last.`).
    const perResult = step.until.map((check) => ({ ...check, path: check.path.replace(/^last\./, '') }));
    const results = await this.server.subscribe(
      step.source,
      variables,
      perResult.length > 0 ? (result) => matchesAll(result.data, perResult) : undefined,
    );
    expect(
      results.flatMap((result) => result.errors ?? []),
      `${step.name} answered errors`,
    ).toEqual([]);
    const data = results.map((result) => result.data);
    for (const check of step.until)
      expect(valueAt(data, check.path), `${step.name}: ${check.path}`).toEqual(check.value);
    this.answers.set(step.name, data);
    checkAnswer(step.name, data, step.expects);
  }

  private async shell(step: Extract<Step, { kind: 'shell' }>): Promise<void> {
    const origin = this.server.origin!;
    const result = await runShell(withTestServer(step.source, origin), shellEnvironment(origin), SHELL_GUARD_MS);
    const printed = `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
    expect(result.signal, `stopped by ${result.signal} (it hung)\n${printed}`).toBeNull();
    expect(result.code, `exited ${result.code}\n${printed}`).toBe(0);
    for (const text of step.outputs) expect(result.stdout, `its output shows ${JSON.stringify(text)}`).toContain(text);
  }

  private async startBackground(step: Extract<Step, { kind: 'background' }>): Promise<void> {
    const origin = this.server.origin!;
    this.background.push(
      await startBackground(withTestServer(step.source, origin), shellEnvironment(origin), step.readyWhen),
    );
  }
}

function matchesAll(data: unknown, checks: Check[]): boolean {
  return checks.every((check) => isDeepStrictEqual(valueAt(data, check.path), check.value));
}

/** The page's stated results, and no user error unless the page expects one. */
function checkAnswer(name: string, data: unknown, expects: Check[]): void {
  const expectsUserErrors = expects.some((check) => check.path.split('.').includes('userErrors'));
  if (!expectsUserErrors)
    for (const list of userErrorLists(data)) expect(list.errors, `${name}: ${list.path}`).toEqual([]);
  for (const check of expects) expect(valueAt(data, check.path), `${name}: ${check.path}`).toEqual(check.value);
}
