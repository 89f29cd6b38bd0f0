package io.llmtrace.gateway.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.llmtrace.gateway.intake.InvalidRequestException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;

/**
 * Reads OTLP/JSON straight into the protobuf builders with Jackson's streaming parser. OTLP/JSON is
 * not protobuf's canonical JSON (hex ids, integer enums, lowerCamelCase keys), and a direct reader
 * is both faster than a tree plus {@code JsonFormat} and able to say exactly which field was wrong
 * ({@link JsonCursor} reads the scalars and names the path). Each message reader returns its built
 * message, which protobuf handles faster than nested builders. Field names are accepted in
 * lowerCamelCase and in the proto's snake_case; unknown fields and {@code null} values are skipped.
 */
final class OtlpJsonReader {

  static final String CODE = "invalid_otlp_json";
  /** Deep enough for any real OTLP body (nested AnyValues included), shallow enough for the stack. */
  static final int MAX_DEPTH = 64;

  private static final int TRACE_ID_BYTES = 16;
  private static final int SPAN_ID_BYTES = 8;

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
      .build();

  private final JsonParser p;
  private final JsonCursor in;

  private OtlpJsonReader(JsonParser p) {
    this.p = p;
    this.in = new JsonCursor(p);
  }

  static ExportTraceServiceRequest read(byte[] body) {
    if (body.length == 0) {
      throw new InvalidRequestException(CODE, "empty body: expected an OTLP ExportTraceServiceRequest JSON object");
    }
    try (JsonParser parser = FACTORY.createParser(body)) {
      OtlpJsonReader reader = new OtlpJsonReader(parser);
      try {
        ExportTraceServiceRequest request = reader.request(parser.nextToken());
        if (parser.nextToken() != null) {
          throw reader.in.error("unexpected content after the request object");
        }
        return request;
      } catch (StreamConstraintsException e) {
        String problem = e.getOriginalMessage().contains("nesting depth")
            ? "JSON nested deeper than " + MAX_DEPTH + " levels"
            : e.getOriginalMessage();
        throw new InvalidRequestException(CODE, problem + reader.in.where());
      } catch (JsonParseException e) {
        throw new InvalidRequestException(CODE, "malformed JSON" + reader.in.where() + ": " + e.getOriginalMessage());
      }
    } catch (IOException e) {
      // A byte array cannot fail to read; anything else Jackson throws is a parse problem.
      throw new InvalidRequestException(CODE, "unreadable JSON: " + e.getMessage());
    }
  }

  private ExportTraceServiceRequest request(JsonToken first) throws IOException {
    in.expectObject(first);
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (field) {
        case "resourceSpans", "resource_spans" -> in.array(t, e -> request.addResourceSpans(resourceSpans(e)));
        default -> p.skipChildren();
      }
    }
    return request.build();
  }

  private ResourceSpans resourceSpans(JsonToken first) throws IOException {
    in.expectObject(first);
    ResourceSpans.Builder resourceSpans = ResourceSpans.newBuilder();
    for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (field) {
        case "resource" -> resourceSpans.setResource(resource(t));
        case "scopeSpans", "scope_spans" -> in.array(t, e -> resourceSpans.addScopeSpans(scopeSpans(e)));
        case "schemaUrl", "schema_url" -> resourceSpans.setSchemaUrl(in.string(t));
        default -> p.skipChildren();
      }
    }
    return resourceSpans.build();
  }

  /** Entity refs are skipped: the mapper has no use for them. */
  private Resource resource(JsonToken first) throws IOException {
    in.expectObject(first);
    Resource.Builder resource = Resource.newBuilder();
    for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (field) {
        case "attributes" -> in.array(t, e -> resource.addAttributes(keyValue(e)));
        case "droppedAttributesCount", "dropped_attributes_count" -> resource.setDroppedAttributesCount(in.uint32(t));
        default -> p.skipChildren();
      }
    }
    return resource.build();
  }

  private ScopeSpans scopeSpans(JsonToken first) throws IOException {
    in.expectObject(first);
    ScopeSpans.Builder scopeSpans = ScopeSpans.newBuilder();
    for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (field) {
        case "scope" -> scopeSpans.setScope(scope(t));
        case "spans" -> in.array(t, e -> scopeSpans.addSpans(span(e)));
        case "schemaUrl", "schema_url" -> scopeSpans.setSchemaUrl(in.string(t));
        default -> p.skipChildren();
      }
    }
    return scopeSpans.build();
  }

  private InstrumentationScope scope(JsonToken first) throws IOException {
    in.expectObject(first);
    InstrumentationScope.Builder scope = InstrumentationScope.newBuilder();
    for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (field) {
        case "name" -> scope.setName(in.string(t));
        case "version" -> scope.setVersion(in.string(t));
        case "attributes" -> in.array(t, e -> scope.addAttributes(keyValue(e)));
        case "droppedAttributesCount", "dropped_attributes_count" -> scope.setDroppedAttributesCount(in.uint32(t));
        default -> p.skipChildren();
      }
    }
    return scope.build();
  }

  private Span span(JsonToken first) throws IOException {
    in.expectObject(first);
    Span.Builder span = Span.newBuilder();
    for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (field) {
        case "traceId", "trace_id" -> span.setTraceId(in.id(t, TRACE_ID_BYTES));
        case "spanId", "span_id" -> span.setSpanId(in.id(t, SPAN_ID_BYTES));
        case "parentSpanId", "parent_span_id" -> span.setParentSpanId(in.id(t, SPAN_ID_BYTES));
        case "traceState", "trace_state" -> span.setTraceState(in.string(t));
        case "flags" -> span.setFlags(in.uint32(t));
        case "name" -> span.setName(in.string(t));
        case "kind" -> span.setKindValue(in.enumValue(t, OtlpJsonReader::spanKind));
        case "startTimeUnixNano", "start_time_unix_nano" -> span.setStartTimeUnixNano(in.uint64(t));
        case "endTimeUnixNano", "end_time_unix_nano" -> span.setEndTimeUnixNano(in.uint64(t));
        case "attributes" -> in.array(t, e -> span.addAttributes(keyValue(e)));
        case "droppedAttributesCount", "dropped_attributes_count" -> span.setDroppedAttributesCount(in.uint32(t));
        case "events" -> in.array(t, e -> span.addEvents(event(e)));
        case "droppedEventsCount", "dropped_events_count" -> span.setDroppedEventsCount(in.uint32(t));
        case "links" -> in.array(t, e -> span.addLinks(link(e)));
        case "droppedLinksCount", "dropped_links_count" -> span.setDroppedLinksCount(in.uint32(t));
        case "status" -> span.setStatus(status(t));
        default -> p.skipChildren();
      }
    }
    return span.build();
  }

  private Span.Event event(JsonToken first) throws IOException {
    in.expectObject(first);
    Span.Event.Builder event = Span.Event.newBuilder();
    for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (field) {
        case "timeUnixNano", "time_unix_nano" -> event.setTimeUnixNano(in.uint64(t));
        case "name" -> event.setName(in.string(t));
        case "attributes" -> in.array(t, e -> event.addAttributes(keyValue(e)));
        case "droppedAttributesCount", "dropped_attributes_count" -> event.setDroppedAttributesCount(in.uint32(t));
        default -> p.skipChildren();
      }
    }
    return event.build();
  }

  private Span.Link link(JsonToken first) throws IOException {
    in.expectObject(first);
    Span.Link.Builder link = Span.Link.newBuilder();
    for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (field) {
        case "traceId", "trace_id" -> link.setTraceId(in.id(t, TRACE_ID_BYTES));
        case "spanId", "span_id" -> link.setSpanId(in.id(t, SPAN_ID_BYTES));
        case "traceState", "trace_state" -> link.setTraceState(in.string(t));
        case "attributes" -> in.array(t, e -> link.addAttributes(keyValue(e)));
        case "droppedAttributesCount", "dropped_attributes_count" -> link.setDroppedAttributesCount(in.uint32(t));
        case "flags" -> link.setFlags(in.uint32(t));
        default -> p.skipChildren();
      }
    }
    return link.build();
  }

  private Status status(JsonToken first) throws IOException {
    in.expectObject(first);
    Status.Builder status = Status.newBuilder();
    for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (field) {
        case "message" -> status.setMessage(in.string(t));
        case "code" -> status.setCodeValue(in.enumValue(t, OtlpJsonReader::statusCode));
        default -> p.skipChildren();
      }
    }
    return status.build();
  }

  private KeyValue keyValue(JsonToken first) throws IOException {
    in.expectObject(first);
    KeyValue.Builder keyValue = KeyValue.newBuilder();
    for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (field) {
        case "key" -> keyValue.setKey(in.string(t));
        case "value" -> keyValue.setValue(anyValue(t));
        default -> p.skipChildren();
      }
    }
    return keyValue.build();
  }

  /** Recursion through array and kvlist values is bounded by the parser's nesting limit. */
  private AnyValue anyValue(JsonToken first) throws IOException {
    in.expectObject(first);
    AnyValue.Builder value = AnyValue.newBuilder();
    for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (field) {
        case "stringValue", "string_value" -> value.setStringValue(in.string(t));
        case "boolValue", "bool_value" -> value.setBoolValue(in.bool(t));
        case "intValue", "int_value" -> value.setIntValue(in.int64(t));
        case "doubleValue", "double_value" -> value.setDoubleValue(in.float64(t));
        case "bytesValue", "bytes_value" -> value.setBytesValue(in.base64(t));
        case "arrayValue", "array_value" -> value.setArrayValue(arrayValue(t));
        case "kvlistValue", "kvlist_value" -> value.setKvlistValue(kvlistValue(t));
        default -> p.skipChildren();
      }
    }
    return value.build();
  }

  private ArrayValue arrayValue(JsonToken first) throws IOException {
    in.expectObject(first);
    ArrayValue.Builder array = ArrayValue.newBuilder();
    for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      if (field.equals("values")) {
        in.array(t, e -> array.addValues(anyValue(e)));
      } else {
        p.skipChildren();
      }
    }
    return array.build();
  }

  private KeyValueList kvlistValue(JsonToken first) throws IOException {
    in.expectObject(first);
    KeyValueList.Builder list = KeyValueList.newBuilder();
    for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      if (field.equals("values")) {
        in.array(t, e -> list.addValues(keyValue(e)));
      } else {
        p.skipChildren();
      }
    }
    return list.build();
  }

  private static int spanKind(String name) {
    for (Span.SpanKind kind : Span.SpanKind.values()) {
      if (kind != Span.SpanKind.UNRECOGNIZED
          && (kind.name().equals(name) || kind.name().equals("SPAN_KIND_" + name))) {
        return kind.getNumber();
      }
    }
    return -1;
  }

  private static int statusCode(String name) {
    for (Status.StatusCode code : Status.StatusCode.values()) {
      if (code != Status.StatusCode.UNRECOGNIZED
          && (code.name().equals(name) || code.name().equals("STATUS_CODE_" + name))) {
        return code.getNumber();
      }
    }
    return -1;
  }
}
