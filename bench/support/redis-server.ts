import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const HOST = '127.0.0.1';
const READY_WITHIN_MS = 10_000;

/** A redis-server of our own on a loopback port, in a temporary directory, for one benchmark. */
export interface RedisServer {
  host: string;
  port: number;
  stop(): Promise<void>;
}

/** The redis-server binary: BENCH_REDIS_SERVER if set, else the first on PATH; undefined when not installed. */
export function findRedisServer(): string | undefined {
  const override = process.env.BENCH_REDIS_SERVER;
  const onPath = (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'redis-server'));
  const candidates = override ? [override] : onPath;
  return candidates.find((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

/**
 * Starts `binary` with the durability the comparison needs (an append-only file fsynced every
 * second, no RDB snapshots) and resolves once it answers PING. The process and its directory go
 * away on stop(), or when this process exits without calling it.
 */
export async function startRedisServer(binary: string): Promise<RedisServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-bench-redis-'));
  const port = await freeLoopbackPort();
  const args = ['--port', String(port), '--bind', HOST, '--dir', dir, '--daemonize', 'no'];
  args.push('--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '');
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = ''; // the log's tail, for the error when it does not start
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cleanUp = () => {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanUp);

  const stop = async () => {
    process.removeListener('exit', cleanUp);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await untilPong(port, child);
  } catch (error) {
    await stop();
    throw new Error(`redis-server did not start on ${HOST}:${port}: ${(error as Error).message}\n${output}`);
  }
  return { host: HOST, port, stop };
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Retries PING until the server answers +PONG; gives up when the process exits or after READY_WITHIN_MS. */
async function untilPong(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`it exited (${child.exitCode ?? child.signalCode})`);
    }
    if (await ping(port)) return;
    if (Date.now() > deadline) throw new Error(`no PONG within ${READY_WITHIN_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, HOST, () => socket.write('PING\r\n'));
    socket.setTimeout(1_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('data', (reply) => {
      socket.destroy();
      resolve(reply.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}
