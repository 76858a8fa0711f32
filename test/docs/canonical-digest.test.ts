/**
 * The digest docs/agents.md teaches agents (Python's json.dumps(sort_keys=True, separators=(",", ":"),
 * ensure_ascii=False), or the same in JavaScript) is the one the server computes: the page's test vectors, checked
 * against the engine's canonicalJson, the worker library's digest and the tests' own. (The page's shell blocks print
 * the same vectors with python3 and node, and the docs test checks what they print.)
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { expect, it } from 'vitest';
import { canonicalDigest } from '../../packages/worker/src/index.js';
import { canonicalJson } from '../../src/engine/validation/subject.js';
import { digestOf } from '../support/canonical-digest.js';

const VECTORS = [
  {
    value: { plan: { title: 'Split the billing service', phases: 3 } },
    canonical: '{"plan":{"phases":3,"title":"Split the billing service"}}',
    digest: '2414e2fefc32501442dc223bb241321e915dc273b00f18ac10278ca9a6f20c0b',
  },
  {
    value: { review: { by: 'agent_2', note: 'Grüße, ça va ✓', scores: [1, 2.5, null, true] }, a: {} },
    canonical: '{"a":{},"review":{"by":"agent_2","note":"Grüße, ça va ✓","scores":[1,2.5,null,true]}}',
    digest: 'a6959105700485f666c04154a675fb40b63a9eac5d4eb3ab900401358bc0b1f6',
  },
];

it.each(VECTORS)(
  'the vector $digest is the canonical JSON and digest the page states, the engine computes and agents send',
  (vector) => {
    const page = fs.readFileSync(new URL('../../docs/agents.md', import.meta.url), 'utf8');
    expect(page).toContain(vector.canonical);
    expect(page).toContain(vector.digest);
    expect(canonicalJson(vector.value)).toBe(vector.canonical);
    expect(createHash('sha256').update(canonicalJson(vector.value)).digest('hex')).toBe(vector.digest);
    expect(canonicalDigest(vector.value)).toBe(vector.digest);
    expect(digestOf(vector.value)).toBe(vector.digest);
  },
);
