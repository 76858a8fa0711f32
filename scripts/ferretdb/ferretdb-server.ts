import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';

const BUILD_SCRIPT = fileURLToPath(new URL('./build.sh', import.meta.url));
const START_TIMEOUT_MS = 30_000;

/** The FerretDB binary: FERRETDB_BIN when set, else the one build.sh caches (building it first if `build`). */
export function ferretdbBinary(options: { build: boolean }): string | null {
  const named = process.env.FERRETDB_BIN;
  if (named) return fs.existsSync(named) ? named : null;
  if (!options.build) return null;
  return execFileSync('bash', [BUILD_SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/** A port nobody listens on now on 127.0.0.1 (asked of the OS; FerretDB then binds it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * One FerretDB process on loopback with its SQLite files in a directory of its own. `stop` and
 * `start` again keep the directory and the port (a store that went away and came back);
 * `dispose` stops it and removes the directory.
 */
export class FerretDBServer {
  private child: ChildProcess | null = null;
  private log = '';

  private constructor(
    private readonly binary: string,
    readonly dir: string,
    readonly port: number,
    private readonly debugPort: number,
    private readonly temporary: boolean,
  ) {}

  /** Starts FerretDB on free loopback ports, in a new temporary directory (or in `dir`, which `dispose` then keeps). */
  static async launch(binary: string, dir?: string): Promise<FerretDBServer> {
    const home = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-ferretdb-'));
    fs.mkdirSync(home, { recursive: true });
    const server = new FerretDBServer(binary, home, await freePort(), await freePort(), dir === undefined);
    try {
      await server.start();
    } catch (error) {
      if (dir === undefined) fs.rmSync(home, { recursive: true, force: true });
      throw error;
    }
    return server;
  }

  /** `mongodb://…/` without a database: each user picks its own. */
  get url(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Processes asked to stop (an exit of any other is reported with its log). */
  private readonly stopping = new WeakSet<ChildProcess>();

  /** Starts the process (again) and resolves once it answers a ping. */
  async start(): Promise<void> {
    if (this.child) return;
    this.log = '';
    const child = spawn(
      this.binary,
      [
        '--handler=sqlite',
        `--sqlite-url=file:${this.dir}/?_pragma=synchronous(normal)`,
        `--listen-addr=127.0.0.1:${this.port}`,
        `--state-dir=${this.dir}`,
        // Its debug listener (metrics, pprof) defaults to 127.0.0.1:8088: a port of its own, so instances never clash.
        `--debug-addr=127.0.0.1:${this.debugPort}`,
        '--telemetry=disable',
        '--log-level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.log = (this.log + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      // Not asked to stop: what it logged is the only account of why, and clients only see a refused connection.
      if (!this.stopping.has(child))
        process.stderr.write(
          `FerretDB exited unexpectedly (code ${code}, signal ${signal}); its last output:\n${this.log}\n`,
        );
    });
    await this.answering(child);
  }

  private async answering(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`FerretDB exited (code ${child.exitCode}, signal ${child.signalCode}):\n${this.log}`);
      const client = new MongoClient(this.url, { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 });
      try {
        await client.db('admin').command({ ping: 1 });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`FerretDB did not answer within ${START_TIMEOUT_MS} ms: ${error}`);
      } finally {
        await client.close();
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Stops the process (SIGTERM, then SIGKILL after 10 s); the directory stays. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    this.stopping.add(child);
    child.kill(signal);
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(force);
  }

  async dispose(): Promise<void> {
    await this.stop();
    if (this.temporary) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** The last lines FerretDB wrote (for failure messages). */
  output(): string {
    return this.log;
  }
}
