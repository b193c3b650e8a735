// The errors use cases, repositories and the Temporal gateway throw. They say
// what went wrong in the domain's terms; the API's one error middleware maps
// each kind to an HTTP status (the CLI to an exit code).

export interface FieldIssue {
  field: string;
  reason: string;
}

/** invalid: bad input · forbidden: the caller may not, for a reason it may know · not_found · conflict: refused in the current state · unprocessable · unavailable: a dependency is away */
export type ErrorKind = 'invalid' | 'forbidden' | 'not_found' | 'conflict' | 'unprocessable' | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** stable machine-readable code (the API's `error.code`) */
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input: names each field and why. */
export class BadRequest extends DomainError {
  constructor(
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super('invalid', 'bad_request', message);
  }

  /** one field, one reason: "field: reason" */
  static field(field: string, reason: string): BadRequest {
    return new BadRequest(`${field}: ${reason}`, [{ field, reason }]);
  }
}

/** The caller may not do this, and may know why (its own account is deactivated). */
export class Forbidden extends DomainError {
  constructor(message: string) {
    super('forbidden', 'forbidden', message);
  }
}

export class NotFound extends DomainError {
  constructor(message: string) {
    super('not_found', 'not_found', message);
  }
}

/** Refused in the current state (a workflow's update refused, a duplicate, a rule). */
export class Conflict extends DomainError {
  constructor(message: string, details?: unknown) {
    super('conflict', 'conflict', message, details);
  }
}

/** Nothing on the shelf matches: demand the inventory could not meet. */
export class NoneAvailable extends DomainError {
  constructor(readonly tags: string[]) {
    super('conflict', 'none_available', `none available: no AVAILABLE endpoint matches ${tags.join(' + ')}`, { tags });
  }
}

/** An all-or-nothing request could not get all it asked for: it holds nothing. */
export class NotEnoughAvailable extends DomainError {
  constructor(message: string, details?: unknown) {
    super('conflict', 'not_enough_available', message, details);
  }
}

export class Unprocessable extends DomainError {
  constructor(message: string, details?: unknown) {
    super('unprocessable', 'unprocessable', message, details);
  }
}

export type Dependency = 'postgres' | 'temporal';

/** A dependency is away or too slow: nothing half-done stays, try again shortly. */
export class Unavailable extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds = 5,
    readonly dependency?: Dependency,
  ) {
    super('unavailable', 'unavailable', message, dependency ? { dependency } : undefined);
  }
}

/** A compare-and-set found the endpoint moved on (or moved by another operation): never retried. */
export class StaleTransition extends DomainError {
  constructor(message: string) {
    super('conflict', 'stale_transition', message);
  }
}

/** A transition named an account that does not exist or is not active. */
export class UnknownAccount extends DomainError {
  constructor(readonly accountId: string) {
    super('not_found', 'unknown_account', `accountId: no active account ${accountId}`);
  }
}

/** the rules of src/domain/regulation.ts an allocation can fail: each its own problem code */
export type RegulationCode = 'kind_not_sold' | 'address_required' | 'account_cap_reached';

/** An allocation (or reservation) the number's country rules refuse to this account: a 409 whose code names the rule. */
export class RegulationRefused extends DomainError {
  constructor(
    readonly rule: RegulationCode,
    message: string,
    readonly facts: { country: string; kind: string; sources: string[] },
  ) {
    super('conflict', rule, message, facts);
  }
}
