/**
 * What a `<!-- docs-test: … -->` comment asks of the block after it (docs/README.md lists them for page writers).
 * A comment that does not parse is a mistake in the page, reported rather than ignored.
 */

export type Directive =
  | { kind: 'skip'; reason: string }
  | { kind: 'server' }
  | { kind: 'background'; readyWhen: string }
  | { kind: 'expect'; path: string; value: unknown }
  | { kind: 'until'; path: string; value: unknown }
  | { kind: 'output'; text: string }
  | { kind: 'needs'; command: string }
  | { kind: 'variables' };

const PATH_IS_JSON = /^(expect|until)\s+([\w.]+)\s*=\s*(.+)$/s;

/** The directive in a comment's text, or why it is not one. */
export function parseDirective(text: string): Directive | { problem: string } {
  const skip = /^skip\s*\((.*)\)$/s.exec(text);
  if (skip) {
    const reason = skip[1]!.trim();
    return reason ? { kind: 'skip', reason } : { problem: 'a skip must say why: skip (reason)' };
  }
  if (/^skip\b/.test(text)) return { problem: 'a skip must say why in parentheses: skip (reason)' };
  if (text === 'server') return { kind: 'server' };
  if (text === 'variables') return { kind: 'variables' };
  const background = /^background\s*\(\s*ready when\s+(".*")\s*\)$/s.exec(text);
  if (background) {
    const readyWhen = parseJson(background[1]!);
    return typeof readyWhen === 'string' && readyWhen
      ? { kind: 'background', readyWhen }
      : { problem: 'background (ready when "text"): the text is a JSON string' };
  }
  const needs = /^needs\s+([\w.+-]+)$/.exec(text);
  if (needs) return { kind: 'needs', command: needs[1]! };
  const output = /^output\s+(".*")$/s.exec(text);
  if (output) {
    const expected = parseJson(output[1]!);
    return typeof expected === 'string' && expected
      ? { kind: 'output', text: expected }
      : { problem: 'output "text": the text is a JSON string' };
  }
  const check = PATH_IS_JSON.exec(text);
  if (check) {
    const value = parseJson(check[3]!.trim());
    if (value === NOT_JSON) return { problem: `${check[1]} ${check[2]} = …: the value is not JSON` };
    return { kind: check[1] as 'expect' | 'until', path: check[2]!, value };
  }
  return { problem: `unknown docs-test comment "${text}"` };
}

const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}
