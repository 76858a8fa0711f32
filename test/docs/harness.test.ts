/**
 * The docs test itself can fail: a block that does not run, a mark that is wrong, an answer other than the one the
 * page states. Checked on small made-up pages, so that a page that is wrong cannot pass for a harness that is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePlaceholders, userErrorLists, valueAt } from './data-path.js';
import { anchorsOf, linksOf, repositoryPathsOf } from './markdown-links.js';
import { planPage, type Step } from './page-plan.js';
import { PageRun } from './page-runner.js';

const fence = '```';

function problemsOf(text: string): string[] {
  return planPage('page.md', text).problems;
}

describe('planning a page', () => {
  it('refuses blocks it would neither run nor show, and marks that are wrong or belong to no block', () => {
    expect(problemsOf(`${fence}\nnpm start\n${fence}\n`)).toEqual([
      'page.md:1: a fenced block must name its language (graphql, sh, console, text, …)',
    ]);
    expect(problemsOf(`${fence}zsh\nls\n${fence}\n`)[0]).toMatch(/a zsh block is neither run nor shown/);
    expect(problemsOf(`<!-- docs-test: skip -->\n${fence}sh\nls\n${fence}\n`)[0]).toMatch(/a skip must say why/);
    expect(problemsOf(`<!-- docs-test: skip () -->\n${fence}sh\nls\n${fence}\n`)[0]).toMatch(/a skip must say why/);
    expect(
      problemsOf(`<!-- docs-test: expect a = 1 -->\nSome text.\n\n${fence}graphql\nquery A { a }\n${fence}\n`),
    ).toEqual(['page.md: line 1: "docs-test: expect a = 1" is not right before a block']);
    expect(problemsOf(`<!-- docs-test: expects a = 1 -->\n${fence}graphql\nquery A { a }\n${fence}\n`)[0]).toMatch(
      /unknown docs-test comment/,
    );
    expect(problemsOf(`<!-- docs-test: expect a = {oops} -->\n${fence}graphql\nquery A { a }\n${fence}\n`)[0]).toMatch(
      /not JSON/,
    );
    expect(problemsOf(`${fence}graphql\nquery { a }\n${fence}\n`)[0]).toMatch(/one named operation/);
    expect(problemsOf(`${fence}graphql\nquery A { a }\nquery B { b }\n${fence}\n`)[0]).toMatch(/one named operation/);
    expect(problemsOf(`<!-- docs-test: server -->\n${fence}sh\nnpm start && echo\n${fence}\n`)[0]).toMatch(
      /a server block is one line/,
    );
    expect(problemsOf(`<!-- docs-test: variables -->\n${fence}json\n{}\n${fence}\n`)[0]).toMatch(
      /right after a graphql block/,
    );
    expect(problemsOf(`${fence}sh\nls\n`)[0]).toMatch(/never closed/);
  });

  it('reads fences as CommonMark does: a longer fence shows shorter ones, whose marks are text', () => {
    const plan = planPage(
      'page.md',
      `${fence}\`markdown\n<!-- docs-test: skip (inside) -->\n${fence}sh\nexit 1\n${fence}\n${fence}\`\n`,
    );
    expect(plan).toMatchObject({ problems: [], steps: [] });
  });

  it('turns marks into steps: skips with their reasons, the server settings, variables, checks', () => {
    const plan = planPage(
      'page.md',
      [
        '<!-- docs-test: server -->',
        `${fence}sh`,
        'WEBHOOK_ALLOW_HOSTS=partner.example FAIR_SHARE_LIMITS=a=1 npm start',
        fence,
        '<!-- docs-test: skip (needs Docker) -->',
        `${fence}sh`,
        'docker compose up',
        fence,
        '<!-- docs-test: expect a.b = [1] -->',
        '',
        '<!-- docs-test: until a.c = "X" -->',
        `${fence}graphql`,
        'query Named($id: ID!) { a }',
        fence,
        '<!-- docs-test: variables -->',
        `${fence}json`,
        '{ "id": "<x.id from Earlier>" }',
        fence,
      ].join('\n'),
    );
    expect(plan.problems).toEqual([]);
    expect(plan.serverEnv).toEqual({ WEBHOOK_ALLOW_HOSTS: 'partner.example', FAIR_SHARE_LIMITS: 'a=1' });
    expect(plan.steps.map((step) => step.kind)).toEqual(['skip', 'graphql']);
    expect(plan.steps[0]).toMatchObject({ reason: 'needs Docker', line: 6 });
    expect(plan.steps[1]).toMatchObject({
      name: 'Named',
      variables: { id: '<x.id from Earlier>' },
      expects: [{ path: 'a.b', value: [1] }],
      until: [{ path: 'a.c', value: 'X' }],
    });
  });
});

describe('links, anchors and named paths', () => {
  it('reads links outside code, anchors as GitHub makes them, and the repository paths a page names', () => {
    const page = [
      "# The agents' side",
      '## Levers on one handoff: retry, pause',
      '## `npm start` (twice)',
      '## `npm start` (twice)',
      'See [this](other.md#x) and ![a picture](screenshots/a.png), not `[code](nowhere.md)`; read `src/app.ts`.',
      `${fence}sh`,
      '[in a block](nowhere.md) `src/not-a-mention.ts`',
      fence,
    ].join('\n');
    expect([...anchorsOf(page)]).toEqual([
      'the-agents-side',
      'levers-on-one-handoff-retry-pause',
      'npm-start-twice',
      'npm-start-twice-1',
    ]);
    expect(linksOf(page)).toEqual([
      { line: 5, target: 'other.md#x' },
      { line: 5, target: 'screenshots/a.png' },
    ]);
    expect(repositoryPathsOf(page)).toEqual([{ line: 5, target: 'src/app.ts' }]);
  });
});

describe('paths and placeholders', () => {
  it('reads paths, resolves placeholders from earlier answers, and refuses one that names nothing', () => {
    const answers = new Map<string, unknown>([['Start', { start: { op: { id: 'b1' } } }]]);
    expect(valueAt([{ a: 1 }, { a: 2 }], 'last.a')).toBe(2);
    expect(valueAt({ a: [{ b: 'x' }] }, 'a.0.b')).toBe('x');
    expect(resolvePlaceholders({ id: '<start.op.id from Start>', n: 1 }, answers)).toEqual({ id: 'b1', n: 1 });
    expect(() => resolvePlaceholders({ id: '<start.op.id from Later>' }, answers)).toThrow(/no block named Later/);
    expect(() => resolvePlaceholders({ id: '<start.nope from Start>' }, answers)).toThrow(/answered nothing/);
    expect(userErrorLists({ a: { userErrors: [1] }, b: [{ userErrors: [] }] })).toEqual([
      { path: 'a.userErrors', errors: [1] },
      { path: 'b.0.userErrors', errors: [] },
    ]);
  });
});

describe('running a page', () => {
  const page = planPage(
    'page.md',
    [
      `${fence}graphql`,
      'mutation Define { createProcedure(input: { id: "ONE", name: "One", steps: [{ id: "a", name: "A", kind: NOOP, timeoutMs: 1000 }] }) { procedure { procedureId } userErrors { code } } }',
      fence,
      `${fence}graphql`,
      'mutation Again { createProcedure(input: { id: "ONE", name: "One", steps: [] }) { userErrors { code } } }',
      fence,
      '<!-- docs-test: expect createProcedure.userErrors.0.code = "INVALID_VALUE" -->',
      `${fence}graphql`,
      'mutation Expected { createProcedure(input: { id: "TWO", name: "Two", steps: [] }) { userErrors { code } } }',
      fence,
      `${fence}graphql`,
      'query Broken { noSuchField }',
      fence,
      '<!-- docs-test: expect procedure.name = "Not its name" -->',
      `${fence}graphql`,
      'query Named { procedure(id: "ONE") { name } }',
      fence,
      `${fence}sh`,
      'false',
      'echo "never here"',
      fence,
      `${fence}sh`,
      'false | cat',
      fence,
      '<!-- docs-test: output "hello" -->',
      `${fence}sh`,
      'echo goodbye',
      fence,
      '<!-- docs-test: output "procedureId" -->',
      `${fence}sh`,
      'curl -sS --fail-with-body http://localhost:4000/graphql -H \'content-type: application/json\' -d \'{"query":"{ procedure(id: \\"ONE\\") { procedureId } }"}\'',
      fence,
    ].join('\n'),
  );
  const step = (index: number) => page.steps[index] as Step;
  let run: PageRun;

  beforeAll(async () => {
    expect(page.problems).toEqual([]);
    run = await PageRun.start(page);
  });
  afterAll(() => run.close());

  it('passes a block that runs, and fails user errors the page does not expect', async () => {
    await run.run(step(0));
    await expect(run.run(step(1))).rejects.toThrow(/Again: createProcedure.userErrors/);
    await run.run(step(2));
  });

  it('fails a GraphQL error, and an answer other than the one the page states', async () => {
    await expect(run.run(step(3))).rejects.toThrow(/Broken answered errors/);
    await expect(run.run(step(4))).rejects.toThrow(/Named: procedure.name/);
  });

  it('fails a shell block at its first failing command (pipes included), and output other than stated', async () => {
    await expect(run.run(step(5))).rejects.toThrow(/exited 1/);
    await expect(run.run(step(6))).rejects.toThrow(/exited 1/);
    await expect(run.run(step(7))).rejects.toThrow(/its output shows "hello"/);
  });

  it("runs a curl on the page's own server, the documented address replaced by its own", async () => {
    await run.run(step(8));
  });
});
