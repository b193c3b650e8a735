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
