import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * One server process of the run: started on the shared DATA_DIR and port, killed with SIGKILL. What every
 * life of it logs is appended to `logFile`, kept with a failed run's store (what the server saw of a gap).
 */
export class ServerProcess {
  private child: ChildProcess | null = null;
  private output = '';

  constructor(
    private readonly env: Record<string, string>,
    readonly logFile: string,
  ) {}

  /** Starts `npm start`'s command and resolves once it says it listens (the line goes to stderr below info level). */
  async start(): Promise<void> {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of [
      'MONGODB_URL',
      'STORE',
      'API_KEYS',
      'API_KEYS_FILE',
      'HOST',
      'PORT',
      'DATA_DIR',
      'LOG_LEVEL',
      'CORS_ORIGINS',
    ])
      delete env[name];
    const log = fs.openSync(this.logFile, 'a');
    fs.writeSync(log, `--- server started at ${new Date().toISOString()}\n`);
    const child = spawn(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...env, ...this.env },
      stdio: ['ignore', log, 'pipe'],
    });
    fs.closeSync(log);
    this.child = child;
    this.output = '';
    const stderrLog = fs.createWriteStream(this.logFile, { flags: 'a' });
    child.stderr!.pipe(stderrLog);
    await new Promise<void>((resolve, reject) => {
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        this.output = (this.output + chunk).slice(-20_000);
        if (this.output.includes('Handoff listening on')) resolve();
      });
      child.once('exit', (code, signal) =>
        reject(new Error(`the server exited (code ${code}, signal ${signal}) before listening:\n${this.output}`)),
      );
    });
  }

  /** SIGKILL: no shutdown, no flush; waits until the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM at the end of a run: a graceful stop. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
