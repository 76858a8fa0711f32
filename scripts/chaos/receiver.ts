import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../../src/engine/shared/random.js';

/** One webhook call as the receiver saw it. */
export interface Call {
  handoffId: string;
  /** The step's or the compensation's id, as its URL names it (a branch's: its step's). */
  action: string;
  /** The id of the action that called, from the body: a branch's is its own (`pack[1]`, `unpack[1]`). */
  step: string;
  attempt: number;
  /** The handoff's run the call belongs to (1 until a redrive). */
  run: number;
  key: string;
  answered: number;
}

/** FNV-1a: a stable number for a text, so a decision depends on the seed and the call, never on timing. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * The local webhook receiver the chaos procedure's steps and compensations call (each at its own
 * path). It records every call, fails some with 503 and delays some, each decided from the seed and
 * the call's Idempotency-Key alone. `?fail=` in the URL scales the failure rate for that action.
 */
export class Receiver {
  readonly calls: Call[] = [];
  private server: http.Server | null = null;

  constructor(
    private readonly seed: number,
    private readonly failureRate: number,
  ) {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => this.answer(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      // Who called is read from what the receiver controls (the URL names the action) and the body,
      // not from the key: the key is under test too.
      const url = new URL(req.url ?? '/', 'http://receiver');
      let call: { handoffId?: unknown; step?: unknown; attempt?: unknown; run?: unknown } = {};
      try {
        call = JSON.parse(body) as typeof call;
      } catch {
        // recorded with what is known
      }
      const key = String(req.headers['idempotency-key'] ?? '');
      const draw = seededRandom(hash(`${this.seed}|${key}`));
      const scale = Number(url.searchParams.get('fail') ?? '1');
      const status = draw.next() < this.failureRate * scale ? 503 : 200;
      this.calls.push({
        handoffId: String(call.handoffId),
        action: url.pathname.slice(1),
        step: String(call.step ?? url.pathname.slice(1)),
        attempt: Number(call.attempt),
        run: Number(call.run ?? 1),
        key,
        answered: status,
      });
      // Up to 40 ms: a kill has in-flight calls to cut short.
      setTimeout(() => res.writeHead(status).end(), Math.floor(draw.next() * 40));
    });
  }
}
