/**
 * The fenced code blocks of a markdown page, each with the `<!-- docs-test: … -->` comments written right before
 * it. Fences follow CommonMark: ``` or ~~~, three or more; a block closes at a fence of the same character at least
 * as long, so a ````markdown block may show ``` fences inside it. Comments inside a block are its text, not marks.
 */

export interface FencedBlock {
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string's first word, lower-cased ('' when the fence names none). */
  language: string;
  /** The block's text, indentation of the fence removed, ending with a newline. */
  source: string;
  /** The text of each docs-test comment right before the block (blank lines may separate them). */
  marks: string[];
}

export interface MarkdownBlocks {
  blocks: FencedBlock[];
  /** Marks that belong to no block, unclosed fences: mistakes in the page itself. */
  problems: string[];
}

const OPENING_FENCE = /^( {0,3})(`{3,}|~{3,})\s*([^`\s]*)/;
const MARK = /^\s*<!--\s*docs-test:(.*?)-->\s*$/;
const MARK_START = /^\s*<!--\s*docs-test\b/;

export function readFencedBlocks(text: string): MarkdownBlocks {
  const lines = text.split('\n');
  const blocks: FencedBlock[] = [];
  const problems: string[] = [];
  let pending: { text: string; line: number }[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const fence = OPENING_FENCE.exec(line);
    if (fence) {
      const [, indent, marker] = fence as unknown as [string, string, string];
      const closing = new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`);
      const body: string[] = [];
      let end = index + 1;
      while (end < lines.length && !closing.test(lines[end]!)) {
        body.push(lines[end]!.startsWith(indent) ? lines[end]!.slice(indent.length) : lines[end]!.trimStart());
        end++;
      }
      if (end >= lines.length) problems.push(`line ${index + 1}: the fence opened here is never closed`);
      blocks.push({
        line: index + 1,
        language: (fence[3] ?? '').toLowerCase(),
        source: body.length > 0 ? `${body.join('\n')}\n` : '',
        marks: pending.map((mark) => mark.text),
      });
      pending = [];
      index = end;
      continue;
    }
    const mark = MARK.exec(line);
    if (mark) {
      pending.push({ text: mark[1]!.trim(), line: index + 1 });
      continue;
    }
    if (MARK_START.test(line)) {
      problems.push(`line ${index + 1}: a docs-test comment must open and close on one line`);
      continue;
    }
    if (line.trim() !== '' && pending.length > 0) {
      for (const orphan of pending)
        problems.push(`line ${orphan.line}: "docs-test: ${orphan.text}" is not right before a block`);
      pending = [];
    }
  }
  for (const orphan of pending)
    problems.push(`line ${orphan.line}: "docs-test: ${orphan.text}" is not right before a block`);
  return { blocks, problems };
}
