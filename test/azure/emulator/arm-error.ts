/**
 * ARM's error shape (`{"error":{"code","message"}}`, the CloudError / ErrorResponse of the REST
 * specification). Route handlers throw it; the server turns it into the response.
 */
export class ArmError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = "ArmError";
    this.status = status;
    this.code = code;
    this.headers = headers;
  }

  body(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export function badRequest(code: string, message: string): ArmError {
  return new ArmError(400, code, message);
}
