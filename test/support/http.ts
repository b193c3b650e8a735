// Serves an app on an ephemeral port for one suite. Every response it gives
// is checked against the app's OpenAPI document (test/support/conformance.ts).
import { createServer, type ServerResponse } from 'node:http';
import type { Express } from 'express';
import type { AddressInfo } from 'node:net';
import { record } from './conformance';

/** keeps a copy of what the response sends */
function capture(res: ServerResponse): () => string {
  const chunks: Buffer[] = [];
  const keep = (chunk: unknown, encoding?: unknown) => {
    if (typeof chunk === 'string') chunks.push(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
  };
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.write = ((...args: unknown[]) => {
    keep(args[0], args[1]);
    return write(...args);
  }) as typeof res.write;
  res.end = ((...args: unknown[]) => {
    if (typeof args[0] !== 'function') keep(args[0], args[1]);
    return end(...args);
  }) as typeof res.end;
  return () => Buffer.concat(chunks).toString('utf8');
}

export async function serve(app: Express): Promise<{ url: string; close(): Promise<void> }> {
  const doc = app.locals.openapi as object | undefined;
  const server = createServer((req, res) => {
    if (doc) {
      // as asked: the app rewrites req.url under a mount point (/docs)
      const path = (req.url ?? '/').split('?')[0]!;
      const body = capture(res);
      res.on('finish', () => {
        record(doc, {
          method: req.method ?? 'GET',
          path,
          status: res.statusCode,
          contentType: String(res.getHeader('content-type') ?? ''),
          headers: {
            'x-request-id': res.getHeader('x-request-id') as string | undefined,
            'retry-after': res.getHeader('retry-after') as string | undefined,
            allow: res.getHeader('allow') as string | undefined,
          },
          body: body(),
        });
      });
    }
    void app(req, res);
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
