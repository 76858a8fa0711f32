import { MongoClient } from 'mongodb';
const c = new MongoClient(process.env.MONGODB_URL, { maxPoolSize: 50 }); await c.connect();
const db = c.db('raw'); await db.dropDatabase();
const col = db.collection('h');
const state = 'x'.repeat(3000);
await col.insertMany([...Array(500)].map((_, i) => ({ _id: 'h' + i, state, version: 0, status: 'RUNNING' })));
async function time(label, n, conc, f) { const t = performance.now(); let i = 0; await Promise.all([...Array(conc)].map(async () => { while (i < n) await f(i++); })); const ms = performance.now() - t; console.log(label, 'conc', conc, Math.round(n / ms * 1000), 'ops/s'); }
for (const conc of [1, 16]) {
  await time('findOne _id', 500, conc, (i) => col.findOne({ _id: 'h' + (i % 500) }));
  await time('findOneAndUpdate _id', 500, conc, (i) => col.findOneAndUpdate({ _id: 'h' + (i % 500) }, { $set: { version: i } }, { returnDocument: 'after' }));
  await time('insert small', 500, conc, (i) => db.collection('l').insertOne({ _id: `l${conc}_${i}`, key: `k${conc}_${i}`, expiresAt: 1 }));
  await time('delete small', 500, conc, (i) => db.collection('l').deleteOne({ _id: `l${conc}_${i}` }));
}
await db.dropDatabase(); await c.close();
