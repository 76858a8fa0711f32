/**
 * Child process for the contract suite: writes to an embedded store in DATA_DIR (argv[2]) and
 * dies without closing it, as a crashed server would, leaving its lock file behind.
 */
import { NedbDatabase } from '../../src/store/adapters/nedb.js';
import { task, type TaskDocument } from './documents.js';

const db = NedbDatabase.persisted(process.argv[2]!);
const tasks = await db.collection<TaskDocument>('tasks');
await tasks.insertOne(task('t1'));
await tasks.findOneAndUpdate({ _id: 't1' }, { $set: { status: 'RUNNING' } });
process.exit(0);
