// Answers only the HTTP layer gives (401, 403, an idempotent request still
// running, 429): everything else is a domain error (src/domain/errors.ts),
// mapped to a status by the one error middleware.
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** A body sent to a JSON route as something other than application/json. */
export class UnsupportedMediaType extends HttpError {
  constructor(given: string) {
    super(415, 'unsupported_media_type', `Content-Type: this route takes application/json, not ${given}`, undefined);
  }
}

/** whether a request carries a body (a length above 0, or chunked) */
export function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}
