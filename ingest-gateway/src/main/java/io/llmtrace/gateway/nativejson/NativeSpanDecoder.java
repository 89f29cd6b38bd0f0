package io.llmtrace.gateway.nativejson;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.llmtrace.gateway.intake.DecodedBatch;
import io.llmtrace.gateway.intake.InvalidRequestException;
import io.llmtrace.gateway.intake.Rejection;
import io.llmtrace.gateway.intake.SpanIntake;
import io.llmtrace.schemas.avro.LlmSpan;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.avro.specific.SpecificData;

/**
 * Decodes the body of {@code POST /v1/spans}: {@code {"spans": [span, ...]}} or a bare array of spans,
 * each span being {@link LlmSpan} in JSON with the Avro field names. Streams the body once with Jackson
 * under tight parser limits, reading spans straight into Avro records through readers precomputed from
 * the schema, then hands each span to {@link SpanIntake#admit}. A bad span becomes a {@link Rejection}
 * with its JSONPath while its neighbours go on; a body that is not usable as a whole throws
 * {@link InvalidRequestException}. Thread-safe; the package documentation lists the rules.
 */
public final class NativeSpanDecoder {

  /** A valid span needs 6 levels (envelope, spans, span, prompt, messages, message); 32 leaves room. */
  public static final int MAX_NESTING_DEPTH = 32;
  /** Generous because over-long text is truncated (not refused) after decoding; the body limit bites first. */
  public static final int MAX_STRING_CHARS = 20_000_000;
  /** Jackson's default; longer numbers are refused before any BigInteger/BigDecimal work is done. */
  public static final int MAX_NUMBER_CHARS = 1_000;
  /** Field names and map keys; an attribute key of 8 K characters is already not a key. */
  public static final int MAX_NAME_CHARS = 8_192;
  /** The tenant_id of decoded spans until the HTTP layer stamps the API key's tenant. */
  public static final String TENANT_PLACEHOLDER = "";

  /**
   * Fields the payload may send but never set: the tenant comes from the API key, and the redaction
   * summary is written by the redactor downstream, which must not be told by a client that it already ran;
   * the output validation is computed there too, once, from the span's own output and schemas.
   */
  private static final Map<String, Object> SERVER_OWNED = serverOwned();

  /** Shared with {@link NativeRecordDecoder}: every native JSON body is parsed under the same limits. */
  static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_NESTING_DEPTH)
          .maxNumberLength(MAX_NUMBER_CHARS)
          .maxStringLength(MAX_STRING_CHARS)
          .maxNameLength(MAX_NAME_CHARS)
          .build())
      // Interning caller-chosen map keys would grow the JVM's string table; canonicalising stays on.
      .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
      // JSON over HTTP is UTF-8 (RFC 8259); no guessing UTF-16/32 from zero bytes.
      .disable(JsonFactory.Feature.CHARSET_DETECTION)
      .build();

  private static final RecordReader SPAN =
      SchemaReaders.forRecord(LlmSpan.getClassSchema(), SpecificData.getForClass(LlmSpan.class), SERVER_OWNED);

  private final SpanIntake intake;

  public NativeSpanDecoder(SpanIntake intake) {
    this.intake = intake;
  }

  /**
   * @return the spans that decoded and passed {@link SpanIntake#admit}, and a rejection per other span,
   *     in request order; tenant_id is {@link #TENANT_PLACEHOLDER} on every accepted span
   * @throws InvalidRequestException when the body as a whole is unusable (codes: invalid_json,
   *     invalid_utf8, too_deep, too_large, invalid_shape, too_many_spans, empty_batch)
   */
  public DecodedBatch decode(byte[] body) {
    int start = checkEncoding(body);
    List<LlmSpan> accepted = new ArrayList<>();
    List<Rejection> rejected = new ArrayList<>();
    JsonParser parser = null;
    try {
      parser = JSON.createParser(body, start, body.length - start);
      JsonToken root = parser.nextToken();
      if (root == JsonToken.START_OBJECT) {
        envelope(parser, accepted, rejected);
      } else if (root == JsonToken.START_ARRAY) {
        spans(parser, "$[", accepted, rejected);
      } else if (root == null) {
        throw new InvalidRequestException(JsonErrors.INVALID_JSON, "the request body is empty; expected {\"spans\": [...]}");
      } else {
        throw JsonErrors.shape("the body must be a JSON object {\"spans\": [...]} or an array of spans, got "
            + JsonPaths.describe(root));
      }
      if (parser.nextToken() != null) {
        throw new InvalidRequestException(JsonErrors.INVALID_JSON,
            "unexpected content after the JSON document " + JsonErrors.at(parser.currentTokenLocation()));
      }
    } catch (IOException e) {
      throw JsonErrors.translate(e, parser);
    } finally {
      closeQuietly(parser);
    }
    return new DecodedBatch(accepted, rejected);
  }

  private void envelope(JsonParser parser, List<LlmSpan> accepted, List<Rejection> rejected) throws IOException {
    boolean seen = false;
    String name;
    while ((name = parser.nextFieldName()) != null) {
      if (!name.equals("spans")) {
        throw JsonErrors.shape("unknown top-level field " + JsonPaths.quote(name)
            + JsonPaths.suggestion(name, List.of("spans")) + "; expected {\"spans\": [...]}");
      }
      if (seen) {
        throw JsonErrors.shape("duplicate top-level field 'spans'");
      }
      seen = true;
      JsonToken token = parser.nextToken();
      if (token != JsonToken.START_ARRAY) {
        throw JsonErrors.shape("'spans' must be an array of span objects, got " + JsonPaths.describe(token));
      }
      spans(parser, "$.spans[", accepted, rejected);
    }
    if (!seen) {
      throw JsonErrors.shape("missing 'spans': expected {\"spans\": [...]} or a top-level array of spans");
    }
  }

  /** Reads the elements of the spans array the parser is on; {@code prefix} is "$.spans[" or "$[". */
  private void spans(JsonParser parser, String prefix, List<LlmSpan> accepted, List<Rejection> rejected) throws IOException {
    JsonStreamContext array = parser.getParsingContext();
    int max = intake.limits().maxSpansPerRequest();
    int index = 0;
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      if (token == null) {
        throw truncated(parser);
      }
      if (index == max) {
        throw new InvalidRequestException(JsonErrors.TOO_MANY_SPANS,
            "more than " + max + " spans in one request; send at most " + max + " per request");
      }
      String path = prefix + index + "]";
      try {
        if (token != JsonToken.START_OBJECT) {
          throw FieldError.of("expected a span object, got " + JsonPaths.describe(token));
        }
        long from = parser.currentTokenLocation().getByteOffset();
        LlmSpan span = (LlmSpan) SPAN.read(parser);
        // Every character of a string takes at least one byte of JSON: the span's size bounds its longest text.
        long to = parser.currentLocation().getByteOffset();
        long spanBytes = from < 0 || to < from ? Long.MAX_VALUE : to - from;
        Optional<Rejection> rejection = intake.admit(span, index, path, UnaryOperator.identity(), spanBytes);
        if (rejection.isPresent()) {
          rejected.add(rejection.get());
        } else {
          accepted.add(span);
        }
      } catch (FieldError e) {
        rejected.add(new Rejection(index, path + e.path(), e.reason()));
        skipRestOf(array, parser);
      }
      index++;
    }
    if (index == 0) {
      throw new InvalidRequestException(JsonErrors.EMPTY_BATCH, "the batch holds no spans");
    }
  }

  /** After a bad span, moves to its last token so the next span can be read. */
  private static void skipRestOf(JsonStreamContext array, JsonParser parser) throws IOException {
    while (parser.getParsingContext() != array) {
      if (parser.nextToken() == null) {
        throw truncated(parser);
      }
    }
  }

  static InvalidRequestException truncated(JsonParser parser) {
    return new InvalidRequestException(JsonErrors.INVALID_JSON,
        "unexpected end of input " + JsonErrors.at(parser.currentLocation()) + " (truncated JSON?)");
  }

  /** Closing hands the parser's buffers back for reuse; a byte-array source has nothing that can fail. */
  static void closeQuietly(JsonParser parser) {
    if (parser != null) {
      try {
        parser.close();
      } catch (IOException ignored) {
        // nothing to release beyond the recycled buffers
      }
    }
  }

  /** @return where the JSON starts (after a UTF-8 byte order mark, which RFC 8259 lets parsers ignore) */
  static int checkEncoding(byte[] body) {
    int start = body.length >= 3 && (body[0] & 0xFF) == 0xEF && (body[1] & 0xFF) == 0xBB && (body[2] & 0xFF) == 0xBF ? 3 : 0;
    // A NUL can never start UTF-8 JSON; among the first bytes it means UTF-16 or UTF-32.
    for (int i = start; i < Math.min(body.length, start + 4); i++) {
      if (body[i] == 0) {
        throw new InvalidRequestException(JsonErrors.INVALID_UTF8,
            "the body must be UTF-8 JSON; a NUL byte at offset " + i + " suggests UTF-16 or UTF-32");
      }
    }
    int bad = Utf8.firstInvalid(body, start, body.length);
    if (bad >= 0) {
      byte[] around = Arrays.copyOfRange(body, bad, Math.min(body.length, bad + 4));
      throw new InvalidRequestException(JsonErrors.INVALID_UTF8,
          "the body is not valid UTF-8: malformed byte sequence at byte offset " + bad + " (0x"
              + HexFormat.ofDelimiter(" 0x").formatHex(around) + ")");
    }
    return start;
  }

  private static Map<String, Object> serverOwned() {
    Map<String, Object> fields = new HashMap<>();
    fields.put("tenant_id", TENANT_PLACEHOLDER);
    fields.put("redaction", null);
    fields.put("output_validation", null);
    return fields;
  }
}
