import { MongoClient } from 'mongodb';
const c = new MongoClient(process.argv[2]); await c.connect();
const dbs = (await c.db('admin').admin().listDatabases()).databases.map(d=>d.name).filter(n=>n.startsWith('handoff_servers'));
const db = c.db(dbs[0]);
const log = await db.collection('change_log').find({}).toArray();
let prev = 0;
for (const r of log.slice(-15)) { const ch = JSON.parse(r.changes); console.log(r._id.slice(-4), r.writer.split('/')[2], r.at - prev, 'ms', r.toWriter ? 'EVERYONE' : '', ch.length, 'changes'); prev = r.at; }
const locks = await db.collection('write_locks').find({}).toArray();
const now = Date.now();
console.log('lock ages s', locks.map(l => Math.round((now - (l.expiresAt - 30000)) / 1000)).sort((a, b) => b - a).slice(0, 30).join(' '));
const keys = {}; for (const l of locks) { const k = l.key.split('/')[0]; keys[k] = (keys[k] ?? 0) + 1; } console.log(keys);
await c.close();
