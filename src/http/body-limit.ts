import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

const CONTENT_LENGTH = /^\d+$/;

function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  // The unread rest of the body must not be taken for the next request on this connection.
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/**
 * Caps request bodies at `maxBytes` before anything reads them. A body with a Content-Length
 * is checked by its header alone: Node's parser never reads past the declared length. A chunked
 * body (no Content-Length) is read here up to the cap and handed on as a Buffer on `req.body`,
 * which Yoga's Node adapter takes as the body.
 *
 * Yoga's own limit (`maxRequestBodySize`) pipes every body through a counting stream, with an
 * AbortSignal and its DOMException per request: about a tenth of the CPU of a small query.
 */
export function withBodyLimit(maxBytes: number, handler: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined) {
      if (!CONTENT_LENGTH.test(declared)) return refuse(res, 400, 'BAD_REQUEST', 'Content-Length header is invalid.');
      if (Number(declared) > maxBytes) return refuse(res, 413, 'REQUEST_ENTITY_TOO_LARGE', 'Request body too large');
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
      refuse(res, 413, 'REQUEST_ENTITY_TOO_LARGE', 'Request body too large');
    };
    const onEnd = (): void => {
      // The stream is used up: an empty body cannot be handed on as a Buffer (Yoga would wait on the stream).
      if (size === 0) return refuse(res, 400, 'BAD_REQUEST', 'Request body is empty');
      (req as IncomingMessage & { body?: Buffer }).body = Buffer.concat(chunks, size);
      handler(req, res);
    };
    req.on('data', onData);
    req.on('end', onEnd);
  };
}
