import http, { type IncomingHttpHeaders } from 'node:http';

/** Raw HTTP for what fetch will not send: any path as written, a `Host` header, a source address. */
export interface RawRequest {
  method?: string;
  /** Sent as written (no normalisation): `//graphql`, `/graphql/`… */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** The client's own address, e.g. 127.0.0.2 to be a second client. */
  localAddress?: string;
}

export interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

function send(
  origin: string,
  request: RawRequest,
  onResponse: (response: http.IncomingMessage, req: http.ClientRequest) => void,
): http.ClientRequest {
  const url = new URL(origin);
  const req = http.request(
    {
      host: url.hostname,
      port: url.port,
      path: request.path,
      method: request.method ?? 'GET',
      headers: request.headers,
      localAddress: request.localAddress,
      agent: false,
    },
    (response) => onResponse(response, req),
  );
  req.end(request.body);
  return req;
}

/** One request, read to the end. */
export function httpRequest(origin: string, request: RawRequest): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    send(origin, request, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
    }).on('error', reject);
  });
}

/** An open Server-Sent-Events response: its status once the head arrived, what came so far, and close(). */
export interface EventStream {
  status: number;
  received(): string;
  /** Resolves once the received text matches (a refused stream's JSON arrives whole and ends). */
  until(pattern: RegExp): Promise<string>;
  close(): void;
}

/** Starts a GraphQL-over-SSE request (GET with the query in the URL, or POST with a JSON body). */
export function openEventStream(origin: string, request: RawRequest): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const req = send(
      origin,
      { ...request, headers: { accept: 'text/event-stream', ...request.headers } },
      (response, sent) => {
        let text = '';
        const waiting: { pattern: RegExp; resolve: (text: string) => void }[] = [];
        response.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
          for (const waiter of waiting.splice(0)) {
            if (waiter.pattern.test(text)) waiter.resolve(text);
            else waiting.push(waiter);
          }
        });
        response.on('error', () => undefined);
        resolve({
          status: response.statusCode ?? 0,
          received: () => text,
          until: (pattern) =>
            pattern.test(text)
              ? Promise.resolve(text)
              : new Promise((done) => waiting.push({ pattern, resolve: done })),
          close: () => sent.destroy(),
        });
      },
    );
    req.on('error', reject);
  });
}
