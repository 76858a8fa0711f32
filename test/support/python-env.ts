import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './server-process.js';

let python: string | null = null;

/**
 * The Python the worker's tests run: HANDOFF_PYTHON, else the cached venv scripts/python-env.sh makes
 * (creating it on first use needs PyPI; .ci/run makes it before the tests).
 */
export function pythonForTests(): string {
  python ??=
    process.env.HANDOFF_PYTHON ||
    execFileSync('bash', [path.join(ROOT, 'scripts/python-env.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
  return python;
}
