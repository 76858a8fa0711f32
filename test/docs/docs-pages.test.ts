/**
 * Every GraphQL and shell block of README.md and docs/*.md, run as written, in order, one server per page
 * (docs/README.md says how to write a page and mark a block; substitutions.ts lists every liberty taken).
 * A block that is neither run nor marked with why fails; the blocks not run are listed with their reasons.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docPages } from './doc-pages.js';
import { type PagePlan, planPage, type Step } from './page-plan.js';
import { PageRun } from './page-runner.js';
import { isInstalled } from './shell-commands.js';

/**
 * Generous: a block may wait for a worker or a background state on a busy machine; nothing here measures speed.
 * On MongoDB (FerretDB in CI: one write at a time) the insight page's reliability test of 1,100 handoffs took 70 s
 * on a quiet machine and more than 180 s under a load of 9.
 */
const BLOCK_TIMEOUT_MS = process.env.HANDOFF_TEST_STORE === 'mongo' ? 600_000 : 180_000;
const SERVER_START_TIMEOUT_MS = 60_000;

const notRun: string[] = [];

function title(step: Step): string {
  const where = `${step.file}:${step.line}`;
  if (step.kind === 'graphql') return `${where} graphql ${step.name}`;
  const command = step.source.trim().split('\n')[0]!;
  if (step.kind === 'skip') return `${where} ${step.language || 'block'}: ${command}`;
  return `${where} ${step.kind === 'background' ? 'sh (left running)' : 'sh'}: ${command}`;
}

function describePage(plan: PagePlan): void {
  it('has only blocks that run, or say why not', () => {
    expect(plan.problems).toEqual([]);
  });
  if (plan.serverBlock) {
    const reason = `the page's server: the test starts it with ${JSON.stringify(plan.serverEnv)}`;
    notRun.push(`${plan.file}:${plan.serverBlock.line} sh: ${plan.serverBlock.source.trim()} — ${reason}`);
    it.skip(`${plan.file}:${plan.serverBlock.line} sh: ${plan.serverBlock.source.trim()} (${reason})`);
  }
  const runs = plan.problems.length === 0 && plan.steps.some((step) => step.kind !== 'skip');
  let run: PageRun | null = null;
  let failedAt: string | null = null;
  if (runs) {
    beforeAll(async () => {
      run = await PageRun.start(plan);
    }, SERVER_START_TIMEOUT_MS);
    afterAll(async () => {
      await run?.close();
    });
  }
  for (const step of plan.steps) {
    if (step.kind === 'skip') {
      notRun.push(`${title(step)} — ${step.reason}`);
      it.skip(`${title(step)} (skipped: ${step.reason})`);
      continue;
    }
    it(
      title(step),
      async (context) => {
        // The blocks of a page build on each other: after one fails, the rest would only repeat its failure.
        if (!runs || failedAt) context.skip();
        const missing = step.kind === 'shell' ? step.needs.filter((command) => !isInstalled(command)) : [];
        if (missing.length > 0) {
          notRun.push(`${title(step)} — ${missing.join(', ')} not installed on this machine`);
          context.skip();
        }
        try {
          await run!.run(step);
        } catch (error) {
          failedAt = title(step);
          throw error;
        }
      },
      BLOCK_TIMEOUT_MS,
    );
  }
}

for (const page of docPages()) describe(page.file, () => describePage(planPage(page.file, page.text)));

afterAll(() => {
  console.info(`Docs blocks not run (${notRun.length}):\n${notRun.map((line) => `  ${line}`).join('\n')}`);
});
