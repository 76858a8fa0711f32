import { AsyncResource } from 'node:async_hooks';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { refuse } from './refuse.js';

/** Why a request was turned away before Yoga saw it. */
export type BodyRefusal = 'too-large' | 'empty';

/**
 * Caps request bodies at `maxBytes` before anything reads them. A body with a Content-Length
 * is checked by its header alone: Node's parser never reads past the declared length, answers 400
 * itself to one that is not a plain number, and refuses requests that carry both Content-Length
 * and Transfer-Encoding. A chunked body is read
 * here up to the cap and handed on as a one-chunk stream on `req.body`, which Yoga's Node adapter
 * takes as the body. `onRefused` learns of every refusal (metrics).
 *
 * Yoga's own limit (`maxRequestBodySize`) pipes every body through a counting stream, with an
 * AbortSignal and its DOMException per request: about a quarter of the CPU of a small query.
 */
export function withBodyLimit(
  maxBytes: number,
  handler: RequestListener,
  onRefused: (reason: BodyRefusal) => void = () => undefined,
): RequestListener {
  const turnAway = (res: ServerResponse, reason: BodyRefusal, status: number, code: string, message: string): void => {
    onRefused(reason);
    refuse(res, status, code, message);
  };
  return (req: IncomingMessage, res: ServerResponse) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined) {
      if (Number(declared) > maxBytes)
        return turnAway(res, 'too-large', 413, 'REQUEST_ENTITY_TOO_LARGE', 'Request body too large');
      return handler(req, res);
    }
    if (req.headers['transfer-encoding'] === undefined) return handler(req, res);
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.off('data', onData);
      req.off('end', onEnd);
      chunks.length = 0;
      turnAway(res, 'too-large', 413, 'REQUEST_ENTITY_TOO_LARGE', 'Request body too large');
    };
    // Bound to the request's async context, so at debug level the rest of the request keeps its request scope.
    const onEnd = AsyncResource.bind((): void => {
      // The request stream is used up: Yoga must read the body from what was collected here.
      if (size === 0) {
        turnAway(res, 'empty', 400, 'BAD_REQUEST', 'Request body is empty');
        return;
      }
      // A stream, not the Buffer itself: the adapter lists a body object's keys, one per byte of a Buffer.
      (req as IncomingMessage & { body?: Readable }).body = Readable.from([Buffer.concat(chunks, size)]);
      handler(req, res);
    });
    req.on('data', onData);
    req.on('end', onEnd);
  };
}
