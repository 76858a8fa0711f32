import { MongoClient } from 'mongodb';
const counts = new Map<string, { n: number; ms: number }>();
const started = new Map<number, { key: string; t: number }>();
const origConnect = MongoClient.prototype.connect;
MongoClient.prototype.connect = function (this: MongoClient) {
  (this as any).monitorCommands = true;
  this.on('commandStarted', (e) => {
    const cmd = e.command as Record<string, unknown>;
    const coll = String(cmd[e.commandName] ?? '');
    let key = `${e.commandName} ${coll}`;
    if (e.commandName === 'find' || e.commandName === 'findAndModify' || e.commandName === 'delete') {
      const filter = (cmd.filter ?? cmd.query ?? (cmd.deletes as any)?.[0]?.q ?? {}) as Record<string, unknown>;
      key += ` {${Object.keys(filter).join(',')}}`;
    }
    started.set(e.requestId, { key, t: performance.now() });
  });
  const done = (e: { requestId: number }) => {
    const s = started.get(e.requestId); if (!s) return; started.delete(e.requestId);
    const c = counts.get(s.key) ?? { n: 0, ms: 0 }; c.n++; c.ms += performance.now() - s.t; counts.set(s.key, c);
  };
  this.on('commandSucceeded', done); this.on('commandFailed', done);
  return origConnect.call(this);
} as any;
const { MongoDatabase } = await import('../src/store/adapters/mongo.js');
const { openEngine, closeEngine, runEngineBatch } = await import('./support/engine-harness.js');
const N = Number(process.env.N ?? 100);
const db = await MongoDatabase.connect(`${process.env.MONGODB_URL}prof_${Date.now()}`);
const engine = await openEngine(db);
counts.clear();
const r = await runEngineBatch(engine, N, 'p');
console.log(`${N} handoffs in ${Math.round(r.ms)} ms (${Math.round((N / r.ms) * 1000)}/s), failed ${r.failed}`);
for (const [k, v] of [...counts].sort((a, b) => b[1].ms - a[1].ms)) console.log(`${(v.n / N).toFixed(2)}/handoff  ${Math.round(v.ms / v.n)} ms avg  ${k}`);
await db.driverDb.dropDatabase();
await closeEngine(engine, db);
