// Tracing with OpenTelemetry: one span per SDK call, through the client's hooks, plus a
// correlation header on every request (retries included) so server logs can be joined to traces.
//
//   FORMANCE_URL=http://localhost:8080 node examples/test/run.mjs tracing
//
// Span name: the operation id (`v2CreateTransaction`). Attributes: `http.request.method`,
// `http.route` (the path template), `http.response.status_code`, `http.request.resend_count`
// (retries). Without an OpenTelemetry SDK registered, `trace.getTracer` gives a no-op tracer:
// register one (NodeSDK, BasicTracerProvider...) to export the spans.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Formance, FormanceAPIError, type Hooks } from "@formance/sdk";
import { type Span, SpanKind, SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";

/** Hooks that open a span per call and close it when the call ends (response or error). */
export function tracingHooks(tracer: Tracer): Hooks {
  // `options.context` is one object per call, shared by its hooks: the key to find its span.
  const spans = new WeakMap<object, Span>();
  const finish = (key: object, end: (span: Span) => void) => {
    const span = spans.get(key);
    if (!span) return;
    spans.delete(key);
    end(span);
    span.end();
  };
  return {
    beforeRequest: [
      ({ request, options }) => {
        const { operation } = options.context;
        const span = tracer.startSpan(operation.id, {
          kind: SpanKind.CLIENT,
          attributes: {
            "http.request.method": operation.method,
            "http.route": operation.route,
            "formance.operation": operation.name,
          },
        });
        spans.set(options.context, span);
        // Set once here, the header is kept on every retry of the call.
        request.headers.set("x-correlation-id", span.spanContext().traceId);
      },
    ],
    afterResponse: [
      ({ options, response, retryCount }) => {
        spans.get(options.context)?.setAttributes({
          "http.response.status_code": response.status,
          "http.request.resend_count": retryCount,
        });
        // A failed status is either retried (more responses come) or ends in beforeError.
        if (response.status < 400) finish(options.context, () => {});
      },
    ],
    beforeError: [
      ({ options, error, retryCount }) => {
        finish(options.context, (span) => {
          span.setAttribute("http.request.resend_count", retryCount);
          span.recordException(error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
        });
        return error;
      },
    ],
  };
}

export async function main(
  serverURL = process.env.FORMANCE_URL ?? "http://localhost:8080",
  tracer: Tracer = trace.getTracer("formance-example"),
) {
  const sdk = new Formance({
    serverURL,
    clientId: process.env.FORMANCE_CLIENT_ID,
    clientSecret: process.env.FORMANCE_CLIENT_SECRET,
    retry: { initialDelay: 50, maxDelay: 200 },
    hooks: tracingHooks(tracer),
  });
  const ledger = process.env.FORMANCE_LEDGER ?? "examples-tracing";
  try {
    await sdk.ledger.v2.createLedger({ ledger, body: {} });
  } catch (error) {
    if (!(error instanceof FormanceAPIError && error.code === "LEDGER_ALREADY_EXISTS")) throw error;
  }
  const tx = await sdk.ledger.v2.createTransaction({
    ledger,
    body: { postings: [{ amount: 100n, asset: "USD/2", source: "world", destination: "users:tracing" }] },
  });
  const again = await sdk.ledger.v2.getTransaction({ ledger, id: tx.id });
  let missing = "";
  try {
    await sdk.ledger.v2.getTransaction({ ledger, id: 999_999n });
  } catch (error) {
    if (!(error instanceof FormanceAPIError)) throw error;
    missing = error.code ?? String(error.status);
  }
  console.log(`transaction ${tx.id} read back as ${again.id}; a missing one gave ${missing}`);
  return { id: tx.id, missing };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
