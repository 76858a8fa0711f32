import fs from 'node:fs';
import path from 'node:path';

/** What an errno code means, in the words of a start-up message. */
const MEANING: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  ENOTDIR: 'a part of the path is not a directory',
  EDQUOT: 'disk quota exceeded',
};

/** The embedded store cannot be opened where DATA_DIR points: the message names the path and the cause. */
export class StoreAccessError extends Error {
  constructor(dataDir: string, what: string, code: string | undefined) {
    const cause = code ? `${code} (${MEANING[code] ?? 'see the error code'})` : 'unknown cause';
    super(
      `cannot open the embedded store in DATA_DIR ${dataDir}: ${what}: ${cause}. ` +
        'Make the directory writable by the user running the server, or set DATA_DIR to one that is.',
    );
    this.name = 'StoreAccessError';
  }
}

/** Creates the store's directory, or says why it cannot. */
export function makeStoreDirectory(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new StoreAccessError(dir, 'the directory cannot be created', (error as NodeJS.ErrnoException).code);
  }
}

/**
 * Why SQLite could not open (or could not write) `file`: SQLite's own words ("unable to open
 * database file", "attempt to write a readonly database") name neither the path nor the cause. The
 * cause is found by doing what SQLite needed — create a file next to it, open it for writing — and
 * returned as a StoreAccessError; anything else is returned unchanged.
 */
export function explainOpenFailure(file: string, error: unknown): unknown {
  const code = (error as { code?: string }).code;
  if (code !== 'SQLITE_CANTOPEN' && code !== 'SQLITE_READONLY' && code !== 'SQLITE_PERM') return error;
  const dir = path.dirname(file);
  const probe = path.join(dir, `.handoff-write-check-${process.pid}`);
  try {
    fs.closeSync(fs.openSync(probe, 'wx'));
    fs.rmSync(probe, { force: true });
  } catch (probeError) {
    return new StoreAccessError(dir, 'the directory is not writable', (probeError as NodeJS.ErrnoException).code);
  }
  try {
    if (fs.existsSync(file)) fs.closeSync(fs.openSync(file, 'r+'));
  } catch (fileError) {
    return new StoreAccessError(
      dir,
      `the file ${path.basename(file)} cannot be written`,
      (fileError as NodeJS.ErrnoException).code,
    );
  }
  return error;
}
