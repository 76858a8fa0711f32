import { MongoClient } from 'mongodb';
const c = new MongoClient(process.env.MONGODB_URL, { maxPoolSize: 50 }); await c.connect();
const db = c.db('raw'); await db.dropDatabase();
const col = db.collection('h');
await col.insertMany([...Array(Number(process.env.DOCS))].map((_, i) => ({ _id: 'h' + i, state: 'x'.repeat(3000) })));
console.log(JSON.stringify((await col.find({ _id: 'h5' }).explain()).queryPlanner));
for (const n of [1, 2]) { const t = performance.now(); for (let i = 0; i < 200; i++) await col.findOne({ _id: 'h' + i }); console.log('findOne', Math.round(200 / (performance.now() - t) * 1000), '/s'); }
await db.dropDatabase(); await c.close();
