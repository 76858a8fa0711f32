import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalDigest, canonicalJson } from '../../packages/worker/src/index.js';
import { payloadDigest, canonicalJson as serverCanonicalJson } from '../../src/engine/validation/subject.js';
import { digestOf } from '../support/canonical-digest.js';
import { pythonForTests } from '../support/python-env.js';
import { ROOT } from '../support/server-process.js';

interface Vector {
  name: string;
  value: unknown;
  canonical: string;
  sha256: string;
}

const VECTORS_FILE = new URL('../support/canonical-digest-vectors.json', import.meta.url);
const vectors = JSON.parse(fs.readFileSync(VECTORS_FILE, 'utf8')) as Vector[];

describe('the canonical digest test vectors', () => {
  it.each(vectors)('the server, the TypeScript worker and the tests agree: $name', ({ value, canonical, sha256 }) => {
    expect(serverCanonicalJson(value)).toBe(canonical);
    expect(payloadDigest(value)).toBe(sha256);
    expect(canonicalJson(value)).toBe(canonical);
    expect(canonicalDigest(value)).toBe(sha256);
    expect(digestOf(value)).toBe(sha256);
  });

  it("the Python worker's canonical_json agrees, and plain json.dumps differs where the docs say", () => {
    const script = `
import json, sys
from handoff_worker import canonical_json, canonical_digest
for vector in json.load(open(sys.argv[1], encoding="utf-8")):
    naive = json.dumps(vector["value"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    print(json.dumps([vector["name"], canonical_json(vector["value"]), canonical_digest(vector["value"]), naive == vector["canonical"]]))
`;
    const output = execFileSync(pythonForTests(), ['-c', script, VECTORS_FILE.pathname], {
      cwd: `${ROOT}clients/python`,
      encoding: 'utf8',
    });
    const results = output
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as [string, string, string, boolean]);
    expect(results.map(([name, canonical, sha256]) => ({ name, canonical, sha256 }))).toEqual(
      vectors.map(({ name, canonical, sha256 }) => ({ name, canonical, sha256 })),
    );
    expect(results.filter(([, , , same]) => !same).map(([name]) => name)).toEqual([
      'keys sorted by UTF-16 code units: an emoji key before U+E000 and U+FFFF',
      'numbers as JavaScript writes them',
    ]);
  });
});
