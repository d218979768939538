/**
 * OTLP/HTTP protobuf trace exports, decoded with protobufjs into the OTLP JSON shape that
 * parseOtlpJson reads (camelCase fields, hex ids, nanosecond strings). The schema below is the
 * subset of opentelemetry-proto's ExportTraceServiceRequest that Tideline keeps, with the spec's
 * field numbers; fields it leaves out (events, links, dropped counts) are skipped on decode.
 */
import protobuf from "protobufjs";
import { ValidationError } from "../../domain/errors.js";

const OTLP_TRACE_PROTO = `
syntax = "proto3";
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message Resource { repeated KeyValue attributes = 1; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message InstrumentationScope { string name = 1; string version = 2; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  bytes parent_span_id = 4;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  Status status = 15;
}
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
`;

const request = protobuf.parse(OTLP_TRACE_PROTO).root.lookupType("ExportTraceServiceRequest");

/** Byte fields whose value is an id, written as lowercase hex in OTLP JSON. */
const HEX_FIELDS = new Set(["traceId", "spanId", "parentSpanId"]);

/** Ids to hex, other byte values to base64, as the OTLP JSON encoding has them. */
function jsonShape(value: unknown, key = ""): unknown {
  if (value instanceof Uint8Array) {
    const bytes = Buffer.from(value);
    return HEX_FIELDS.has(key) ? bytes.toString("hex") : bytes.toString("base64");
  }
  if (Array.isArray(value)) return value.map((v) => jsonShape(v));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonShape(v, k)]));
  }
  return value;
}

/** The JSON text of an OTLP protobuf trace export; a body that does not decode is a 400. */
export function otlpProtobufToJson(body: Uint8Array): string {
  let message: protobuf.Message;
  try {
    message = request.decode(body);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ValidationError(`invalid OTLP protobuf trace export: ${reason}`);
  }
  const object = request.toObject(message, { longs: String, arrays: true });
  // An empty parent id means "no parent" in protobuf; OTLP JSON leaves the field out.
  const shaped = jsonShape(object);
  return JSON.stringify(shaped, (key, v) => (key === "parentSpanId" && v === "" ? undefined : v));
}
