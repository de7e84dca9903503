// A minimal in-memory OpenTelemetry tracer, written against @opentelemetry/api's interfaces, so the
// tracing example's test can assert on the spans it records (an SDK's exporter would do this in an app).
import { randomBytes } from "node:crypto";
import {
  type Attributes,
  type AttributeValue,
  type Exception,
  type Span,
  type SpanContext,
  SpanKind,
  type SpanOptions,
  type SpanStatus,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
} from "@opentelemetry/api";

export interface RecordedSpan {
  name: string;
  kind: SpanKind;
  traceId: string;
  attributes: Attributes;
  status: SpanStatus;
  exceptions: string[];
  ended: boolean;
}

class MemorySpan implements Span {
  readonly #context: SpanContext;
  constructor(readonly record: RecordedSpan) {
    this.#context = {
      traceId: record.traceId,
      spanId: randomBytes(8).toString("hex"),
      traceFlags: TraceFlags.SAMPLED,
    };
  }
  spanContext(): SpanContext {
    return this.#context;
  }
  setAttribute(key: string, value: AttributeValue): this {
    this.record.attributes[key] = value;
    return this;
  }
  setAttributes(attributes: Attributes): this {
    Object.assign(this.record.attributes, attributes);
    return this;
  }
  addEvent(): this {
    return this;
  }
  addLink(): this {
    return this;
  }
  addLinks(): this {
    return this;
  }
  setStatus(status: SpanStatus): this {
    this.record.status = status;
    return this;
  }
  updateName(name: string): this {
    this.record.name = name;
    return this;
  }
  end(): void {
    if (this.record.ended) throw new Error(`span ${this.record.name} ended twice`);
    this.record.ended = true;
  }
  isRecording(): boolean {
    return !this.record.ended;
  }
  recordException(exception: Exception): void {
    this.record.exceptions.push(typeof exception === "string" ? exception : String(exception.message));
  }
}

export function memoryTracer(): { tracer: Tracer; spans: RecordedSpan[] } {
  const spans: RecordedSpan[] = [];
  const startSpan = (name: string, options: SpanOptions = {}): Span => {
    const record: RecordedSpan = {
      name,
      kind: options.kind ?? SpanKind.INTERNAL,
      traceId: randomBytes(16).toString("hex"),
      attributes: { ...options.attributes },
      status: { code: SpanStatusCode.UNSET },
      exceptions: [],
      ended: false,
    };
    spans.push(record);
    return new MemorySpan(record);
  };
  const tracer: Tracer = {
    startSpan,
    startActiveSpan(name: string, ...rest: unknown[]) {
      const fn = rest.at(-1) as (span: Span) => unknown;
      const options = (rest.length > 1 ? rest[0] : undefined) as SpanOptions | undefined;
      return fn(startSpan(name, options)) as never;
    },
  };
  return { tracer, spans };
}
