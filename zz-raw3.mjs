import { MongoClient } from 'mongodb';
const c = new MongoClient(process.env.MONGODB_URL, { maxPoolSize: 50 }); await c.connect();
const db = c.db('raw'); await db.dropDatabase();
const col = db.collection('h');
const N = Number(process.env.DOCS);
const size = Number(process.env.SIZE);
await col.insertMany([...Array(N)].map((_, i) => ({ _id: 'h' + i, status: i % 10 ? 'COMPLETED' : 'RUNNING', leaseOwner: null, leaseExpiresAt: 0, createdAt: i, priority: 'MEDIUM', state: 'x'.repeat(size), metaQuery: { a: 1 }, signals: {}, cancelRequest: null })));
for (let k = 0; k < 3; k++) { const t = performance.now(); const r = await col.find({ status: { $in: ['RUNNING', 'PENDING'] }, $or: [{ leaseOwner: null }, { leaseExpiresAt: { $lt: 5 } }] }).sort({ createdAt: 1 }).toArray(); console.log(N, 'docs of', size, 'B: scan', Math.round(performance.now() - t), 'ms', r.length); }
await db.dropDatabase(); await c.close();
