/**
 * 4. N+1 check: store round trips for a 50-item `handoffs` page with procedure and both agents.
 * Constant (page + procedures + agents), not 1 + 2×50.
 */
import { startBenchServer } from '../support/app.js';
import { type Row, report } from '../support/common.js';
import { readsForPage, seedHandoffs } from '../support/page-reads.js';

const server = await startBenchServer();
await seedHandoffs(server.app, 50);
// The first page read after start also fills the process's caches (a procedure read once): not part of the count.
await readsForPage(server.app, 5);
const five = await readsForPage(server.app, 5);
const fifty = await readsForPage(server.app, 50);
if (fifty.nodes !== 50) throw new Error(`expected 50 nodes, got ${fifty.nodes}`);
const rows: Row[] = [
  {
    section: 'n+1',
    name: 'store reads, handoffs(first: 50) + procedure, source, target',
    value: fifty.reads,
    unit: 'reads',
    goal: 'constant (= reads for a 5-item page), not 1 + 2×50',
    met: fifty.reads === five.reads,
    note: `5-item page: ${five.reads} reads; naive would be ${1 + 3 * 50}`,
  },
];
report({ rows, details: { readsFor5: five.reads, readsFor50: fifty.reads } });
await server.close();
