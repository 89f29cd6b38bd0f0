package io.llmtrace.gateway.nativejson;

import io.llmtrace.gateway.intake.IntakeLimits;
import io.llmtrace.gateway.intake.Rejection;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Malformed {@code POST /v1/spans} bodies and what the gateway must answer, shared by the decoder's unit
 * test and the HTTP integration test. Whole-request problems carry the {@code InvalidRequestException}
 * status and code; per-span problems are one-span requests, which the HTTP layer answers with 400
 * {@value #ALL_REJECTED}, and their fragment is found in {@link #rejectionText(Rejection)} of the single
 * rejection. Spans are timed a minute before {@code now}, so pass the clock the gateway runs with;
 * the too-many-spans case assumes the default limit of {@value IntakeLimits#DEFAULT_MAX_SPANS_PER_REQUEST}.
 */
public final class BadNativeInputs {

  public static final String ALL_REJECTED = "all_rejected";

  /** One bad body; {@code toString} is the name so parameterised tests read well. */
  public record BadInput(String name, byte[] body, int expectedStatus, String expectedCode, String expectedMessageFragment) {
    @Override
    public String toString() {
      return name;
    }
  }

  private BadNativeInputs() {}

  /** How a rejection reads in a response: its path, a colon, its reason. */
  public static String rejectionText(Rejection rejection) {
    return rejection.path() + ": " + rejection.reason();
  }

  /** The one-span body every per-span case departs from by one member; it must be accepted. */
  public static byte[] validBody(Instant now) {
    return batch(new Span(spanStart(now)).json()).getBytes(StandardCharsets.UTF_8);
  }

  /** The cases for a gateway whose clock reads the current time. */
  public static List<BadInput> cases() {
    return cases(Instant.now());
  }

  public static List<BadInput> cases(Instant now) {
    Cases c = new Cases(spanStart(now));
    c.wholeRequest();
    c.shape();
    c.perSpanStructure();
    c.perSpanTypes();
    c.perSpanSemantics();
    return List.copyOf(c.cases);
  }

  /** Builds the list; split by theme so each method stays readable. */
  private static final class Cases {

    private final List<BadInput> cases = new ArrayList<>();
    private final Instant start;

    Cases(Instant start) {
      this.start = start;
    }

    void wholeRequest() {
      String good = batch(span().json());
      invalid("syntax error: missing colon", "{\"spans\":[{\"trace_id\" \"4bf9\"}]}", "invalid_json",
          "malformed JSON at line 1, column 23: Unexpected character");
      invalid("syntax error: trailing comma", "{\"spans\":[" + span().json() + ",]}", "invalid_json", "malformed JSON at line 1");
      invalid("truncated inside a span", good.substring(0, 60), "invalid_json", "unexpected end of input");
      invalid("truncated before the last brace", good.substring(0, good.length() - 1), "invalid_json", "unexpected end of input");
      invalid("trailing content after the document", good + " {}", "invalid_json", "unexpected content after the JSON document");
      invalid("empty body", "", "invalid_json", "the request body is empty");
      invalid("whitespace only", " \n\t ", "invalid_json", "the request body is empty");
      invalid("single-quoted names", "{'spans':[]}", "invalid_json", "malformed JSON at line 1, column 2");
      invalid("NaN literal", batch(span().with("usage", "{\"input_tokens\":NaN}").json()), "invalid_json",
          "Non-standard token 'NaN'");
      invalid("Infinity literal", batch(span().with("cost", "{\"amount\":Infinity}").json()), "invalid_json",
          "Non-standard token 'Infinity'");
      invalid("raw control character in a string", batch(span().with("name", "\"a\u0001b\"").json()), "invalid_json",
          "Illegal unquoted character");
      invalid("number of 1001 digits", batch(span().with("usage", "{\"input_tokens\":" + "9".repeat(1001) + "}").json()),
          "invalid_json", "number longer than 1000 characters");
      invalid("1000 levels of nesting", "[".repeat(1000), "too_deep", "nested deeper than 32 levels");
      invalid("deep nesting inside a span", batch(span().with("attributes", "{\"a\":" + "[".repeat(100) + "}").json()),
          "too_deep", "nested deeper than 32 levels");
      invalidUtf8("invalid UTF-8: 0xC3 0x28", new byte[] {(byte) 0xC3, 0x28}, "(0xc3 0x28");
      invalidUtf8("invalid UTF-8: overlong slash 0xC0 0xAF", new byte[] {(byte) 0xC0, (byte) 0xAF}, "(0xc0 0xaf");
      invalidUtf8("invalid UTF-8: encoded surrogate", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, "(0xed 0xa0 0x80");
      invalidUtf8("invalid UTF-8: Latin-1 é", new byte[] {(byte) 0xE9}, "(0xe9");
      cases.add(new BadInput("UTF-16 body", good.getBytes(StandardCharsets.UTF_16LE), 400, "invalid_utf8", "suggests UTF-16"));
    }

    void shape() {
      invalid("top-level string", "\"spans\"", "invalid_shape", "or an array of spans, got string");
      invalid("top-level number", "42", "invalid_shape", "or an array of spans, got number");
      invalid("top-level null", "null", "invalid_shape", "or an array of spans, got null");
      invalid("top-level boolean", "true", "invalid_shape", "or an array of spans, got boolean");
      invalid("object without spans", "{}", "invalid_shape", "missing 'spans'");
      invalid("misspelled spans", "{\"span\":[" + span().json() + "]}", "invalid_shape",
          "unknown top-level field 'span' (did you mean 'spans'?)");
      invalid("spans is an object", "{\"spans\":" + span().json() + "}", "invalid_shape",
          "'spans' must be an array of span objects, got object");
      invalid("spans is null", "{\"spans\":null}", "invalid_shape", "'spans' must be an array of span objects, got null");
      invalid("spans twice", "{\"spans\":[" + span().json() + "],\"spans\":[" + span().json() + "]}", "invalid_shape",
          "duplicate top-level field 'spans'");
      invalid("empty batch", "{\"spans\":[]}", "empty_batch", "the batch holds no spans");
      invalid("empty bare array", "[]", "empty_batch", "the batch holds no spans");
      String tooMany = "{\"spans\":[" + String.join(",", java.util.Collections.nCopies(IntakeLimits.DEFAULT_MAX_SPANS_PER_REQUEST + 1, "{}")) + "]}";
      invalid("too many spans", tooMany, "too_many_spans", "more than " + IntakeLimits.DEFAULT_MAX_SPANS_PER_REQUEST + " spans");
    }

    void perSpanStructure() {
      rejected("span is a string", "{\"spans\":[\"span\"]}", "$.spans[0]: expected a span object, got string");
      rejected("span is null", "{\"spans\":[null]}", "$.spans[0]: expected a span object, got null");
      rejected("span is an array", "{\"spans\":[[1,2]]}", "$.spans[0]: expected a span object, got array");
      rejected("missing trace_id", batch(span().without("trace_id").json()), "$.spans[0].trace_id: missing required field 'trace_id'");
      rejected("missing span_id", batch(span().without("span_id").json()), "$.spans[0].span_id: missing required field 'span_id'");
      rejected("missing start_time", batch(span().without("start_time").json()), "$.spans[0].start_time: missing required field");
      rejected("missing span_id in a bare array", "[" + span().without("span_id").json() + "]", "$[0].span_id: missing required field");
      rejected("missing required nested field", batch(span().with("model", "{\"provider\":\"openai\"}").json()),
          "$.spans[0].model.name: missing required field 'name'");
      rejected("unknown field", batch(span().with("foo", "1").json()), "$.spans[0].foo: unknown field 'foo'");
      rejected("typo in a nested field", batch(span().with("usage", "{\"input_token\":12}").json()),
          "$.spans[0].usage.input_token: unknown field 'input_token' (did you mean 'input_tokens'?)");
      rejected("camelCase field name", batch(span().without("trace_id").with("traceId", "\"4bf92f3577b34da6a3ce929d0e0e4736\"").json()),
          "unknown field 'traceId' (did you mean 'trace_id'?)");
      rejected("duplicate field", batch(span().json().replaceFirst("\"name\":", "\"span_id\":\"00f067aa0ba902b8\",\"name\":")),
          "$.spans[0].span_id: duplicate field 'span_id'");
      rejected("duplicate map key", batch(span().with("attributes", "{\"env\":\"a\",\"env\":\"b\"}").json()),
          "$.spans[0].attributes['env']: duplicate key 'env'");
    }

    void perSpanTypes() {
      rejected("null trace_id", batch(span().with("trace_id", "null").json()), "$.spans[0].trace_id: expected string, got null");
      rejected("string for a number", batch(span().with("usage", "{\"input_tokens\":\"1500\"}").json()),
          "$.spans[0].usage.input_tokens: expected integer, got string");
      rejected("number for a string", batch(span().with("name", "42").json()), "$.spans[0].name: expected string, got number");
      rejected("object for an array", batch(span().with("events", "{}").json()), "$.spans[0].events: expected array, got object");
      rejected("array for an object", batch(span().with("usage", "[]").json()), "$.spans[0].usage: expected object, got array");
      rejected("string for a boolean", batch(span().with("fallback", "\"true\"").json()), "$.spans[0].fallback: expected boolean, got string");
      rejected("number in a string map", batch(span().with("attributes", "{\"queue_ms\":35}").json()),
          "$.spans[0].attributes['queue_ms']: expected string, got number");
      rejected("array element not an object", batch(span().with("events", "[\"first_token\"]").json()),
          "$.spans[0].events[0]: expected object, got string");
      rejected("bad value deep inside", batch(span().with("prompt",
              "{\"messages\":[{\"role\":\"system\"},{\"role\":7}]}").json()),
          "$.spans[0].prompt.messages[1].role: expected string, got number");
      rejected("fractional token count", batch(span().with("usage", "{\"input_tokens\":12.5}").json()),
          "$.spans[0].usage.input_tokens: 12.5 is not an integer");
      rejected("huge number 1e400", batch(span().with("usage", "{\"input_tokens\":1e400}").json()),
          "$.spans[0].usage.input_tokens: 1e400 is out of range for a long");
      rejected("huge integer", batch(span().with("usage", "{\"input_tokens\":99999999999999999999999}").json()),
          "$.spans[0].usage.input_tokens: 99999999999999999999999 is out of range for a long");
      rejected("1e30 tokens", batch(span().with("usage", "{\"input_tokens\":1e30}").json()),
          "$.spans[0].usage.input_tokens: 1e30 is out of range for a long");
      rejected("attempt beyond int", batch(span().with("attempt", "3000000000").json()),
          "$.spans[0].attempt: 3000000000 is out of range for an int");
      rejected("cost of 1e400", batch(span().with("cost", "{\"amount\":1e400}").json()),
          "$.spans[0].cost.amount: 1e400 is out of range for a double");
      rejected("unknown enum symbol", batch(span().with("kind", "\"LLMX\"").json()),
          "$.spans[0].kind: unknown symbol 'LLMX', expected one of UNKNOWN, LLM, EMBEDDING");
      rejected("timestamp garbage", batch(span().with("start_time", "\"yesterday\"").json()),
          "$.spans[0].start_time: expected an RFC 3339 timestamp");
      rejected("impossible date", batch(span().with("start_time", "\"2026-02-30T10:00:00Z\"").json()),
          "$.spans[0].start_time: expected an RFC 3339 timestamp");
      rejected("timestamp as boolean", batch(span().with("end_time", "true").json()),
          "$.spans[0].end_time: expected RFC 3339 timestamp string or integer microseconds since the epoch, got boolean");
    }

    void perSpanSemantics() {
      rejected("empty name", batch(span().with("name", "\"\"").json()), "$.spans[0].name: must not be empty");
      rejected("empty trace_id", batch(span().with("trace_id", "\"\"").json()), "$.spans[0].trace_id: is required");
      rejected("negative tokens", batch(span().with("usage", "{\"input_tokens\":-5}").json()),
          "$.spans[0].usage.input_tokens: must be >= 0, got -5");
      rejected("negative duration", batch(span().with("end_time", q(start.minusMillis(5))).json()),
          "$.spans[0].end_time: is before start_time");
      rejected("duration over a day", batch(span().with("end_time", q(start.plusSeconds(2 * 86_400))).json()),
          "$.spans[0].end_time: gives a duration longer than");
      rejected("year 1970", batch(span().with("start_time", "\"1970-01-01T00:00:00Z\"").with("end_time", "1000000").json()),
          "$.spans[0].start_time: is 1970-01-01T00:00:00Z, older than");
      rejected("year 3000", batch(span().with("start_time", "\"3000-01-01T00:00:00Z\"").with("end_time", "\"3000-01-01T00:00:01Z\"").json()),
          "$.spans[0].start_time: is 3000-01-01T00:00:00Z, in the future");
      rejected("space in an id", batch(span().with("span_id", "\"00f067aa 0ba902b7\"").json()),
          "$.spans[0].span_id: must be 1-128 characters");
      rejected("quote in an id", batch(span().with("trace_id", "\"4bf92f35\\\"77b34da6\"").json()),
          "$.spans[0].trace_id: must be 1-128 characters");
      rejected("control character in an id", batch(span().with("span_id", "\"\\u0007f067aa0ba902b7\"").json()),
          "$.spans[0].span_id: must be 1-128 characters");
      rejected("all-zero trace id", batch(span().with("trace_id", "\"00000000000000000000000000000000\"").json()),
          "$.spans[0].trace_id: must not be all zeros");
      rejected("parent is itself", batch(span().with("parent_span_id", "\"00f067aa0ba902b7\"").json()),
          "$.spans[0].parent_span_id: a span cannot be its own parent");
      rejected("invalid currency", batch(span().with("cost", "{\"amount\":0.01,\"currency\":\"dollars\"}").json()),
          "$.spans[0].cost.currency: must be an ISO 4217 code");
      rejected("negative cost", batch(span().with("cost", "{\"amount\":-0.5}").json()),
          "$.spans[0].cost.amount: must be a finite number >= 0, got -0.5");
      rejected("reported cost without an amount", batch(span().with("cost", "{\"amount\":null,\"source\":\"REPORTED\"}").json()),
          "$.spans[0].cost.amount: is null (unknown) but source is REPORTED");
      rejected("temperature above 10", batch(span().with("generation_settings", "{\"temperature\":11}").json()),
          "$.spans[0].generation_settings.temperature: must be between 0 and 10, got 11.0");
      rejected("top_p above 1", batch(span().with("generation_settings", "{\"top_p\":1.5}").json()),
          "$.spans[0].generation_settings.top_p: must be between 0 and 1, got 1.5");
      rejected("negative max_tokens", batch(span().with("generation_settings", "{\"max_tokens\":-1}").json()),
          "$.spans[0].generation_settings.max_tokens: must be >= 0, got -1");
      rejected("citation coverage as a percentage", batch(span().with("citation_coverage", "85").json()),
          "$.spans[0].citation_coverage: must be between 0 and 1, got 85.0");
      rejected("severity outside the four levels", batch(span().with("policy_severity", "\"warning\"").json()),
          "$.spans[0].policy_severity: must be one of low, medium, high, critical (lower case), got 'warning'");
      rejected("negative attempt", batch(span().with("attempt", "-1").json()), "$.spans[0].attempt: must be >= 0, got -1");
      rejected("empty document id", batch(span().with("retrieval", "{\"documents\":[{\"doc_id\":\"\"}]}").json()),
          "$.spans[0].retrieval.documents[0].doc_id: must not be empty");
    }

    private void invalid(String name, String body, String code, String fragment) {
      cases.add(new BadInput(name, body.getBytes(StandardCharsets.UTF_8), 400, code, fragment));
    }

    private void rejected(String name, String body, String fragment) {
      cases.add(new BadInput(name, body.getBytes(StandardCharsets.UTF_8), 400, ALL_REJECTED, fragment));
    }

    /** A good span whose name holds {@code bad} after "x"; the fragment names the offset of the first bad byte. */
    private void invalidUtf8(String name, byte[] bad, String bytesFragment) {
      byte[] before = (batch(span().json()).replace("\"name\":\"chat.completions\"", "\"name\":\"x")).getBytes(StandardCharsets.UTF_8);
      int cut = indexOf(before, "\"name\":\"x".getBytes(StandardCharsets.UTF_8)) + "\"name\":\"x".length();
      byte[] body = new byte[before.length + bad.length + 1];
      System.arraycopy(before, 0, body, 0, cut);
      System.arraycopy(bad, 0, body, cut, bad.length);
      body[cut + bad.length] = '"';
      System.arraycopy(before, cut, body, cut + bad.length + 1, before.length - cut);
      cases.add(new BadInput(name, body, 400, "invalid_utf8", "malformed byte sequence at byte offset " + cut + " " + bytesFragment));
    }

    private Span span() {
      return new Span(start);
    }
  }

  /** A valid one-span payload as raw member texts, so cases can put any JSON, valid or not, in a member. */
  private static final class Span {
    private final Map<String, String> members = new LinkedHashMap<>();

    Span(Instant start) {
      members.put("trace_id", "\"4bf92f3577b34da6a3ce929d0e0e4736\"");
      members.put("span_id", "\"00f067aa0ba902b7\"");
      members.put("kind", "\"LLM\"");
      members.put("name", "\"chat.completions\"");
      members.put("start_time", q(start));
      members.put("end_time", q(start.plusMillis(812)));
      members.put("model", "{\"provider\":\"openai\",\"name\":\"gpt-4.1-mini\"}");
      members.put("usage", "{\"input_tokens\":1500,\"output_tokens\":370}");
    }

    Span with(String name, String rawJson) {
      members.put(name, rawJson);
      return this;
    }

    Span without(String name) {
      members.remove(name);
      return this;
    }

    String json() {
      StringBuilder out = new StringBuilder("{");
      members.forEach((name, value) -> out.append(out.length() > 1 ? "," : "").append('"').append(name).append("\":").append(value));
      return out.append('}').toString();
    }
  }

  private static Instant spanStart(Instant now) {
    return now.minusSeconds(60).truncatedTo(ChronoUnit.MICROS);
  }

  private static String batch(String... spans) {
    return "{\"spans\":[" + String.join(",", spans) + "]}";
  }

  private static String q(Instant instant) {
    return "\"" + instant + "\"";
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalArgumentException("not found");
  }
}
