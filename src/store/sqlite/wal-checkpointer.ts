import { Worker } from 'node:worker_threads';

/**
 * How many log pages (64 MB) the serving connection lets pile up before it checkpoints itself. The
 * worker's passes copy pages while writes go on, but the log restarts from its beginning only after a
 * checkpoint that caught up with the last commit: under sustained writes that is this fallback, which
 * then has only the few pages the worker has not copied yet left to copy.
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 16_000;

/**
 * Pause between the worker's passes. A page written again and again (an index's) is copied once
 * per pass: passes far apart copy less, and leave more to the fallback.
 */
const PASS_PAUSE_MS = 1_000;

/**
 * The worker's loop: PASSIVE checkpoints on a connection of its own. PASSIVE never waits for a
 * writer or a reader: it copies what every reader is done with and leaves the rest for the next pass.
 * A failed pass (a full disk) is reported once per kind of failure and tried again on the next pass.
 */
const CHECKPOINT_IN_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = ' + workerData.sync);
let lastFailure = '';
let next = null;
// Between passes (one thread): the connection is idle when the message runs.
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearTimeout(next);
  db.close();
  process.exit(0);
});
function pass() {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ pass: { logPages: result.log, copiedPages: result.checkpointed } });
    lastFailure = '';
  } catch (error) {
    const message = String((error && error.message) || error);
    if (message !== lastFailure) parentPort.postMessage({ failure: { code: error && error.code, message } });
    lastFailure = message;
  }
  next = setTimeout(pass, workerData.pauseMs);
}
pass();`;

/** What one pass found: pages in the log, and how many of them are now in the database file. */
export interface CheckpointPass {
  logPages: number;
  copiedPages: number;
}

/**
 * Folds the write-ahead log back into the database file from a worker thread. SQLite's automatic
 * checkpoint runs inside the commit that crosses its threshold: it copies thousands of pages and
 * syncs the file on the thread that serves every request, which stalls them all meanwhile (with it
 * off altogether, a server's engine ran 19–60% more handoffs a second on the 2-core VM). The serving connection keeps only a far fallback
 * threshold; this worker checkpoints on a second connection, beside it. A checkpoint only copies
 * pages already committed to the log, so it changes nothing a crash could lose.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly stopped: Promise<void>;
  private readonly waitingForPass: ((pass: CheckpointPass) => void)[] = [];

  constructor(file: string, driver: string, sync: string, onFailure: (error: Error) => void) {
    this.worker = new Worker(CHECKPOINT_IN_WORKER, {
      eval: true,
      workerData: { file, driver, sync, pauseMs: PASS_PAUSE_MS },
    });
    this.worker.on('message', (message: { pass?: CheckpointPass; failure?: { code?: string; message: string } }) => {
      if (message.pass) for (const resolve of this.waitingForPass.splice(0)) resolve(message.pass);
      if (message.failure)
        onFailure(
          Object.assign(new Error(`checkpoint failed: ${message.failure.message}`), { code: message.failure.code }),
        );
    });
    this.stopped = new Promise((resolve) => {
      this.worker.once('exit', () => resolve());
      this.worker.once('error', (error) => {
        onFailure(new Error(`the checkpoint worker stopped: ${error.message}`));
        resolve();
      });
    });
    // Housekeeping: it never keeps the process alive, and the serving connection's fallback covers for it.
    // After the listeners: adding a 'message' listener refs a worker again (a database never closed kept
    // the bench's scale part from exiting).
    this.worker.unref();
  }

  /** The next pass the worker completes (for tests and diagnostics). */
  nextPass(): Promise<CheckpointPass> {
    return new Promise((resolve) => this.waitingForPass.push(resolve));
  }

  /** Ends the loop and closes the worker's connection (before the serving one closes, so that one folds the log in). */
  async stop(): Promise<void> {
    // Held alive until it has closed its connection: a close awaited by nothing else must still finish.
    this.worker.ref();
    this.worker.postMessage('stop');
    await this.stopped;
  }
}
