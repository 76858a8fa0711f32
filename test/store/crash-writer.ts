/**
 * Child process for the contract suite: writes to an embedded store file (argv[2]) and dies
 * without closing it, as a crashed server would, leaving its write-ahead log behind.
 */
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { type TaskDocument, task } from './documents.js';

const db = SqliteDatabase.open(process.argv[2]!);
const tasks = await db.collection<TaskDocument>('tasks');
await tasks.insertOne(task('t1'));
await tasks.findOneAndUpdate({ _id: 't1' }, { $set: { status: 'RUNNING' } });
process.exit(0);
