import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Operators that make mingo run a regular expression taken from the condition. JavaScript's regex
 * engine backtracks: `^(a+)+$` against "aaaa…a!" takes time exponential in the input, and no
 * timeout can interrupt a synchronous match on the event loop. No linear-time engine (RE2) is
 * installed, and the native ones need a build: so conditions with these operators are evaluated
 * in worker threads instead, which a rule's timeout can terminate.
 */
const REGEX_OPERATORS = new Set(['$regex', '$regexMatch', '$regexFind', '$regexFindAll']);

/** Whether evaluating `condition` may run one of its own regular expressions. */
export function usesRegex(condition: unknown): boolean {
  const pending: unknown[] = [condition];
  while (pending.length > 0) {
    const value = pending.pop();
    if (Array.isArray(value)) pending.push(...value);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (REGEX_OPERATORS.has(key)) return true;
        pending.push(item);
      }
    }
  }
  return false;
}

// Runs in a worker thread (plain JavaScript): one condition test at a time, compiled queries kept.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Query } = require(workerData.mingo);
parentPort.postMessage({ ready: true });
const compiled = new Map();
parentPort.on('message', ({ key, condition, subject }) => {
  try {
    let query = compiled.get(key);
    if (!query) {
      if (compiled.size >= 500) compiled.clear();
      query = new Query(condition, {});
      compiled.set(key, query);
    }
    parentPort.postMessage({ passed: query.test(subject) });
  } catch (error) {
    parentPort.postMessage({ error: String((error && error.message) || error) });
  }
});`;

interface Job {
  key: string;
  condition: Record<string, unknown>;
  subject: object;
  signal: AbortSignal;
  resolve(passed: boolean): void;
  reject(error: unknown): void;
  onAbort(): void;
}

/**
 * A small pool of worker threads that test conditions. A test whose signal aborts (the rule's
 * timeout) while it runs terminates its worker, whatever the regex is doing; a fresh worker takes
 * its place for the next test. The main thread never runs a condition's regular expression.
 */
export class ConditionSandbox {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  /** Workers that have loaded mingo (a start-up can take seconds on a busy machine). */
  private readonly started = new WeakSet<Worker>();
  private readyWaiters: (() => void)[] = [];

  constructor(
    private readonly size = 2,
    private readonly mingoPath = createRequire(import.meta.url).resolve('mingo'),
  ) {}

  /** Whether `subject` matches `condition`; rejects with the signal's reason if it aborts first. */
  test(condition: Record<string, unknown>, subject: object, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const job: Job = {
        key: JSON.stringify(condition),
        condition,
        subject,
        signal,
        resolve,
        reject,
        onAbort: () => this.abort(job),
      };
      signal.addEventListener('abort', job.onAbort, { once: true });
      this.queue.push(job);
      this.pump();
    });
  }

  /**
   * Resolves once a worker has started (starting one if none runs), so that a deadline set after it times the
   * condition and not the thread's start-up. Also resolves if a starting worker dies: the test then fails as usual.
   */
  ready(): Promise<void> {
    const workers = [...this.idle, ...this.busy.keys()];
    if (workers.some((worker) => this.started.has(worker))) return Promise.resolve();
    if (workers.length < this.size) this.idle.push(this.spawn());
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Ends every worker (tests in flight reject). */
  async close(): Promise<void> {
    const workers = [...this.idle.splice(0), ...this.busy.keys()];
    for (const job of [...this.busy.values(), ...this.queue.splice(0)])
      this.finish(job, new Error('condition sandbox closed'));
    this.busy.clear();
    await Promise.all(workers.map((worker) => this.discard(worker)));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.idle.length + this.busy.size < this.size ? this.spawn() : undefined);
      if (!worker) return;
      const job = this.queue.shift()!;
      this.busy.set(worker, job);
      worker.postMessage({ key: job.key, condition: job.condition, subject: job.subject });
    }
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { mingo: this.mingoPath } });
    // Housekeeping: an idle sandbox must not keep the process alive.
    worker.unref();
    worker.on('message', (reply: { ready?: true; passed?: boolean; error?: string }) =>
      reply.ready ? this.markStarted(worker) : this.settle(worker, reply),
    );
    worker.on('error', (error) => this.lose(worker, error));
    worker.on('exit', () => this.lose(worker, new Error('the condition worker exited')));
    return worker;
  }

  private markStarted(worker: Worker): void {
    this.started.add(worker);
    this.wakeReadyWaiters();
  }

  private wakeReadyWaiters(): void {
    for (const wake of this.readyWaiters.splice(0)) wake();
  }

  private settle(worker: Worker, reply: { passed?: boolean; error?: string }): void {
    const job = this.busy.get(worker);
    this.busy.delete(worker);
    this.idle.push(worker);
    if (job) this.finish(job, reply.error !== undefined ? new Error(reply.error) : null, reply.passed === true);
    this.pump();
  }

  /** The worker died: its test fails, and the pool makes another when it needs one. */
  private lose(worker: Worker, error: unknown): void {
    const job = this.busy.get(worker);
    this.busy.delete(worker);
    const idleAt = this.idle.indexOf(worker);
    if (idleAt >= 0) this.idle.splice(idleAt, 1);
    this.wakeReadyWaiters();
    if (job) this.finish(job, error);
    this.pump();
  }

  private abort(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    for (const [worker, running] of this.busy) {
      if (running !== job) continue;
      // The only way to stop a match in progress: end the thread running it.
      this.busy.delete(worker);
      void this.discard(worker);
    }
    this.finish(job, job.signal.reason);
    this.pump();
  }

  private async discard(worker: Worker): Promise<void> {
    worker.removeAllListeners();
    this.wakeReadyWaiters();
    worker.on('error', () => undefined);
    await worker.terminate();
  }

  private finish(job: Job, error: unknown, passed = false): void {
    job.signal.removeEventListener('abort', job.onAbort);
    if (error) job.reject(error);
    else job.resolve(passed);
  }
}

/** The process's sandbox: workers are made on first use and do not keep the process alive. */
export const conditionSandbox = new ConditionSandbox();
