// The errors use cases throw and the one middleware that maps them to HTTP.
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

export interface FieldIssue {
  field: string;
  reason: string;
}

export class BadRequest extends HttpError {
  constructor(message: string, readonly issues: FieldIssue[] = []) {
    super(400, 'bad_request', message);
  }
}

export class NotFound extends HttpError {
  constructor(message: string) {
    super(404, 'not_found', message);
  }
}

export class Conflict extends HttpError {
  constructor(message: string, details?: unknown) {
    super(409, 'conflict', message, details);
  }
}

export class Unprocessable extends HttpError {
  constructor(message: string, details?: unknown) {
    super(422, 'unprocessable', message, details);
  }
}

export class Unavailable extends HttpError {
  constructor(message: string, readonly retryAfterSeconds = 5) {
    super(503, 'unavailable', message);
  }
}
