/** One small error hierarchy for the core; handlers map these to transport responses. */
export class TidelineError extends Error {
  override name = "TidelineError";
  /** HTTP status when the error reaches an HTTP client. */
  readonly status: number = 500;
  /** Only exposable errors show their message to clients; others become a generic 500. */
  readonly expose: boolean = false;
}

export class ValidationError extends TidelineError {
  override name = "ValidationError";
  override readonly status: number;
  override readonly expose = true;
  constructor(message: string, status = 400) {
    super(message);
    this.status = status;
  }
}

export class UnauthorizedError extends TidelineError {
  override name = "UnauthorizedError";
  override readonly status = 401;
  override readonly expose = true;
}

export class NotFoundError extends TidelineError {
  override name = "NotFoundError";
  override readonly status = 404;
  override readonly expose = true;
}

export class ForbiddenError extends TidelineError {
  override name = "ForbiddenError";
  override readonly status = 403;
  override readonly expose = true;
}

/** Something Tideline called on the client's behalf (an app's URL) failed: 502 with the reason. */
export class BadGatewayError extends TidelineError {
  override name = "BadGatewayError";
  override readonly status = 502;
  override readonly expose = true;
}
