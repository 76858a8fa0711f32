/**
 * Runs a command with a throwaway FerretDB on loopback: `tsx scripts/ferretdb/with-ferretdb.ts npm test`.
 * The command sees MONGODB_URL (the server, no database: tests make their own) and FERRETDB_BIN (for
 * tests that start, stop and restart a FerretDB of their own). FerretDB is stopped and its directory
 * removed when the command ends, fails, or this process is interrupted.
 */
import { spawn } from 'node:child_process';
import { FerretDBServer, ferretdbBinary } from './ferretdb-server.js';

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error('usage: tsx scripts/ferretdb/with-ferretdb.ts <command> [args…]');
  process.exit(2);
}

const binary = ferretdbBinary({ build: true })!;
const server = await FerretDBServer.launch(binary);
console.error(`FerretDB (${binary}) on ${server.url}, files in ${server.dir}`);

let stopping: Promise<void> | null = null;
const stopServer = () => {
  stopping ??= server.dispose().catch((error) => console.error('could not stop FerretDB:', error));
  return stopping;
};

const child = spawn(command[0]!, command.slice(1), {
  stdio: 'inherit',
  env: { ...process.env, MONGODB_URL: server.url, FERRETDB_BIN: binary },
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    child.kill(signal);
    void stopServer().then(() => process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1)));
  });
}
const code = await new Promise<number>((resolve) => {
  child.once('error', (error) => {
    console.error(`could not run ${command[0]}:`, error.message);
    resolve(127);
  });
  child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 : 1)));
});
await stopServer();
process.exit(code);
