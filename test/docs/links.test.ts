/**
 * The pages hold together: every link between them (and to files of the repository, pictures included) leads
 * somewhere, every anchor names a heading of its page, every page is linked from the front page, and each page
 * opens with a title and a line saying what it is for.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/server-process.js';
import { docPages } from './doc-pages.js';
import { anchorsOf, linksOf, repositoryPathsOf } from './markdown-links.js';

const pages = docPages();
const anchorsByFile = new Map(pages.map((page) => [page.file, anchorsOf(page.text)]));
/** The front page stays a front page. */
const FRONT_PAGE_MAX_LINES = 120;

/** Why a link of `file` leads nowhere, or null when it leads somewhere. */
function deadEnd(file: string, target: string): string | null {
  if (/^(https?:|mailto:)/.test(target)) return null;
  const [pathPart, anchor] = target.split('#') as [string, string | undefined];
  const resolved = pathPart ? path.posix.normalize(path.posix.join(path.posix.dirname(file), pathPart)) : file;
  if (resolved.startsWith('..')) return 'leads out of the repository';
  if (!fs.existsSync(path.join(ROOT, resolved))) return `${resolved} does not exist`;
  if (anchor === undefined) return null;
  const anchors = anchorsByFile.get(resolved);
  if (!anchors) return `#${anchor}: ${resolved} is not a docs page with headings to link to`;
  return anchors.has(anchor) ? null : `${resolved} has no heading #${anchor}`;
}

/** Whether a path the docs name is in the repository: a file or folder, a glob (`*` within a name) matching one, or a build output git ignores. */
function isInRepository(name: string): boolean {
  const relative = name.replace(/\/$/, '');
  if (!relative.includes('*')) return fs.existsSync(path.join(ROOT, relative)) || isIgnoredByGit(relative);
  const folder = path.posix.dirname(relative);
  const pattern = new RegExp(
    `^${path.posix
      .basename(relative)
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')}$`,
  );
  return (
    fs.existsSync(path.join(ROOT, folder)) && fs.readdirSync(path.join(ROOT, folder)).some((file) => pattern.test(file))
  );
}

function isIgnoredByGit(relative: string): boolean {
  // A trailing slash says "a folder", which an ignore rule such as `dist/` needs when the folder is not there.
  return [relative, `${relative}/`].some(
    (candidate) => spawnSync('git', ['check-ignore', '-q', candidate], { cwd: ROOT }).status === 0,
  );
}

describe('docs links', () => {
  for (const page of pages) {
    it(`${page.file}: every link and anchor leads somewhere`, () => {
      const dead = linksOf(page.text)
        .map((link) => ({ link, why: deadEnd(page.file, link.target) }))
        .filter(({ why }) => why !== null)
        .map(({ link, why }) => `${page.file}:${link.line} (${link.target}): ${why}`);
      expect(dead).toEqual([]);
    });
  }

  for (const page of pages) {
    it(`${page.file}: every repository path it names exists`, () => {
      const missing = repositoryPathsOf(page.text)
        .filter((named) => !isInRepository(named.target))
        .map((named) => `${page.file}:${named.line}: ${named.target}`);
      expect(missing).toEqual([]);
    });
  }

  it('the front page links every page under docs/', () => {
    const front = pages.find((page) => page.file === 'README.md')!;
    const linked = new Set(linksOf(front.text).map((link) => path.posix.normalize(link.target.split('#')[0]!)));
    expect(pages.map((page) => page.file).filter((file) => file !== 'README.md' && !linked.has(file))).toEqual([]);
  });

  it(`the front page stays short (at most ${FRONT_PAGE_MAX_LINES} lines)`, () => {
    expect(
      pages
        .find((page) => page.file === 'README.md')!
        .text.trimEnd()
        .split('\n').length,
    ).toBeLessThanOrEqual(FRONT_PAGE_MAX_LINES);
  });

  for (const page of pages) {
    it(`${page.file} opens with a title and what it is for`, () => {
      const [title, blank, purpose] = page.text.split('\n');
      expect(title).toMatch(/^# \S/);
      expect(blank).toBe('');
      expect(purpose?.trim().length ?? 0).toBeGreaterThan(20);
    });
  }
});
