import { MongoClient } from 'mongodb';
const counts = new Map<string, { n: number; ms: number }>();
const started = new Map<string, { key: string; t: number }>();
let clientNo = 0;
const origConnect = MongoClient.prototype.connect;
MongoClient.prototype.connect = function (this: MongoClient) {
  const me = clientNo++;
  (this as any).monitorCommands = true;
  this.on('commandStarted', (e) => {
    const cmd = e.command as Record<string, unknown>;
    const coll = String(cmd[e.commandName] ?? '');
    let key = `${e.commandName} ${coll}`;
    started.set(`${me}:${e.requestId}`, { key, t: performance.now() });
  });
  const done = (e: { requestId: number }) => {
    const s = started.get(`${me}:${e.requestId}`); if (!s) return; started.delete(`${me}:${e.requestId}`);
    const c = counts.get(s.key) ?? { n: 0, ms: 0 }; c.n++; c.ms += performance.now() - s.t; counts.set(s.key, c);
  };
  this.on('commandSucceeded', done); this.on('commandFailed', done);
  return origConnect.call(this);
} as any;
const { MongoDatabase } = await import('../src/store/adapters/mongo.js');
const { openStores } = await import('../src/store/open-stores.js');
const { createEngine } = await import('../src/engine/engine.js');
const { NOOP_PROCEDURE, NOOP_PROCEDURE_ID, finalEvents } = await import('./support/engine-harness.js');
const N = Number(process.env.N ?? 100);
const E = Number(process.env.E ?? 3);
const name = `prof_${Date.now()}`;
const engines = [];
for (let e = 0; e < E; e++) {
  const db = await MongoDatabase.connect(`${process.env.MONGODB_URL}${name}`);
  const stores = await openStores(db, { writer: `w${e}` });
  const engine = await createEngine({ stores, owner: `w${e}`, leaseMs: Number(process.env.LEASE ?? 15000), settings: { agentHeartbeatWindowMs: 30_000, maxConcurrentHandoffs: 100, webhookAllowList: [] } });
  await engine.start();
  if (e === 0) await engine.procedures.create(NOOP_PROCEDURE);
  engines.push({ engine, db });
}
counts.clear();
const t = performance.now();
await Promise.all(engines.map(async ({ engine }, e) => {
  const finals = finalEvents(engine, N);
  await Promise.all(Array.from({ length: N }, (_, i) => engine.handoffs.initiate({ handoffId: `p${e}_${i}`, procedureId: NOOP_PROCEDURE_ID })));
  await finals.done;
}));
const ms = performance.now() - t;
console.log(`${E}x${N} handoffs in ${Math.round(ms)} ms (${Math.round((E * N / ms) * 1000)}/s)`);
for (const [k, v] of [...counts].sort((a, b) => b[1].ms - a[1].ms)) console.log(`${(v.n / N / E).toFixed(2)}/handoff  ${Math.round(v.ms / v.n)} ms avg  ${k}`);
for (const { engine, db } of engines) { await engine.stop(); await engine.stores.handoffChanges?.close?.(); }
await engines[0].db.driverDb.dropDatabase();
for (const { db } of engines) await db.close();
