/** Every request the emulator received, for assertions (what was called, in what order, how it ended). */

export interface LoggedRequest {
  seq: number;
  /** Wall-clock ms when the request arrived. */
  at: number;
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Name of the matched route, or undefined when no route matched. */
  route: string | undefined;
  /** 0 while the request is in flight, or when no response was sent (reset, hang). */
  status: number;
  /** The injected fault, if any. */
  fault?: string;
  /**
   * Why the request did not follow the REST specification (unknown route, api-version, query,
   * body, authorization); undefined for a well-formed request, even one that failed on purpose.
   */
  violation?: string;
  body?: unknown;
}

export class RequestLog {
  private readonly entries: LoggedRequest[] = [];
  private seq = 0;

  /** Logs a request as it arrives; the server fills in route, status and the rest as it goes. */
  add(entry: Omit<LoggedRequest, "seq">): LoggedRequest {
    const logged = Object.assign(entry, { seq: ++this.seq });
    this.entries.push(logged);
    return logged;
  }

  all(): LoggedRequest[] {
    return [...this.entries];
  }

  byRoute(route: string, method?: string): LoggedRequest[] {
    return this.entries.filter((e) => e.route === route && (method === undefined || e.method === method));
  }

  violations(): LoggedRequest[] {
    return this.entries.filter((e) => e.violation !== undefined);
  }

  clear(): void {
    this.entries.length = 0;
  }
}
