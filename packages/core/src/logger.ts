// Per-attempt request logging with secrets redacted.

export interface LogEntry {
  method: string;
  url: string;
  /** HTTP status, or undefined when no response arrived. */
  status: number | undefined;
  durationMs: number;
  attempt: number;
  operation: string | undefined;
  /** Request headers with Authorization and other secrets redacted. */
  headers: Record<string, string>;
  error?: string;
}

export interface Logger {
  debug?(message: string, entry: LogEntry): void;
  info?(message: string, entry: LogEntry): void;
  warn?(message: string, entry: LogEntry): void;
}

const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key)$/i;
const SECRET_PARAM = /([?&](?:access_token|client_secret|token)=)[^&]*/gi;

export function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    out[key] = SECRET_HEADER.test(key) ? "[redacted]" : value;
  });
  return out;
}

export function redactURL(url: string): string {
  return url.replace(SECRET_PARAM, "$1[redacted]");
}

export function logAttempt(logger: Logger | undefined, entry: LogEntry): void {
  if (!logger) return;
  const line = `${entry.method} ${entry.url} ${entry.status ?? "-"} ${entry.durationMs}ms${
    entry.attempt > 1 ? ` (attempt ${entry.attempt})` : ""
  }${entry.error ? ` ${entry.error}` : ""}`;
  const failed = entry.status === undefined || entry.status >= 500;
  const write = (failed ? logger.warn : logger.debug) ?? logger.info ?? logger.debug;
  try {
    write?.call(logger, line, entry);
  } catch {
    // A broken logger must not turn a processed request into an error.
  }
}
