import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

/** The small HTTP pieces the A2A endpoint's parts share. */

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** A JSON-RPC error answer. */
export function rpcError(
  res: ServerResponse,
  status: number,
  id: unknown,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  json(res, status, { jsonrpc: '2.0', id: id ?? null, error: { code, message } }, headers);
}

export async function readBody(req: IncomingMessage): Promise<string> {
  // withBodyLimit hands a chunked body on as req.body; a body with a Content-Length is still in req.
  const source = (req as IncomingMessage & { body?: Readable }).body ?? req;
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
