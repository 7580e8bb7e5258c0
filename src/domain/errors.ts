/**
 * The one error hierarchy of the ledger. Every error a caller may see carries a stable `code`
 * (the last segment of the problem `type` URI), an HTTP status and a human title; the HTTP layer
 * maps them to application/problem+json in one place. Anything that is not a LedgerError is an
 * internal failure and is answered as an opaque 500.
 */
export abstract class LedgerError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  abstract readonly title: string;
  /** Extra members for the problem document (must be safe to show to the caller). */
  readonly extensions: Record<string, unknown>;

  constructor(detail: string, extensions: Record<string, unknown> = {}) {
    super(detail);
    this.name = new.target.name;
    this.extensions = extensions;
  }
}

/** A command breaks a rule of the domain (422). */
export class DomainRuleViolation extends LedgerError {
  readonly status = 422;
  readonly title = 'The command breaks a rule of the ledger';
  constructor(
    readonly code: string,
    detail: string,
    extensions: Record<string, unknown> = {},
  ) {
    super(detail, extensions);
  }
}

export class NotFound extends LedgerError {
  readonly status = 404;
  readonly title = 'Not found';
  constructor(
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

export class MeetingNotFound extends NotFound {
  constructor(meetingId: string) {
    super('meeting-not-found', `Meeting ${meetingId} does not exist`);
  }
}

export class MeetingNotOpen extends DomainRuleViolation {
  constructor(meetingId: string, status: string) {
    super('meeting-not-open', `Meeting ${meetingId} is ${status}; it takes no further changes`, {
      meetingStatus: status,
    });
  }
}
