/**
 * Links and headings of a markdown page, as GitHub renders them: links outside code (fenced blocks and `inline
 * code`), and the anchor GitHub gives each heading.
 */
import { readFencedBlocks } from './markdown-blocks.js';

export interface MarkdownLink {
  line: number;
  target: string;
}

const LINK = /!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;

/** The page's lines outside fenced blocks; `prose` has inline code blanked out (links inside it are text). */
function proseLines(text: string): { line: number; text: string; prose: string }[] {
  const fenced = new Set<number>();
  const lines = text.split('\n');
  for (const block of readFencedBlocks(text).blocks) {
    const length = block.source === '' ? 0 : block.source.split('\n').length - 1;
    for (let line = block.line; line <= block.line + length + 1; line++) fenced.add(line);
  }
  return lines
    .map((line, index) => ({
      line: index + 1,
      text: line,
      prose: line.replace(/`[^`]*`/g, (code) => ' '.repeat(code.length)),
    }))
    .filter((line) => !fenced.has(line.line));
}

export function linksOf(text: string): MarkdownLink[] {
  return proseLines(text).flatMap(({ line, prose }) =>
    [...prose.matchAll(LINK)].map((match) => ({ line, target: match[1]! })),
  );
}

const REPOSITORY_PATH = /`((?:src|test|examples|bench|scripts|dashboard|docs|\.ci)\/[^`\s<>]*)`/g;

/** Repository paths a page names in inline code (`src/app.ts`, `bench/results/2026-*.json`), outside fenced blocks. */
export function repositoryPathsOf(text: string): MarkdownLink[] {
  return proseLines(text).flatMap(({ line, text: raw }) =>
    [...raw.matchAll(REPOSITORY_PATH)].map((match) => ({ line, target: match[1]! })),
  );
}

/** The anchors of the page's headings: GitHub's slugs (lower case, punctuation dropped, spaces to hyphens, -1, -2… for repeats). */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text: line } of proseLines(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = heading[1]!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}
