package io.llmtrace.gateway.nativejson;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.llmtrace.gateway.intake.InvalidRequestException;
import io.llmtrace.gateway.intake.Outcome;
import io.llmtrace.gateway.intake.Rejection;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Decodes a body that is one JSON object into one Avro record, with the readers and rules of native
 * spans (see the package documentation): UTF-8 only, the same parser limits, unknown members refused
 * with a "did you mean", duplicates refused, JSON null meaning "absent", timestamps as RFC 3339 or
 * integer epoch units. For small single-record endpoints ({@code POST /v1/releases}) whose field names
 * are the Avro ones: reusing the span path (rather than Jackson data binding) keeps one set of
 * rules and error texts for every native JSON body, and the schema stays the only field list.
 * Thread-safe.
 */
public final class NativeRecordDecoder<T extends SpecificRecord> {

  private final Class<T> type;
  private final RecordReader reader;

  /**
   * @param serverOwned fields the payload may send but never set (they get the given value)
   * @param optional    fields without a schema default that the payload may leave out; they stay null
   */
  public NativeRecordDecoder(Class<T> type, Map<String, Object> serverOwned, Set<String> optional) {
    this.type = type;
    SpecificData model = SpecificData.getForClass(type);
    this.reader = SchemaReaders.forRecord(model.getSchema(type), model, serverOwned, optional);
  }

  /**
   * @return the record, or a rejection whose path is the JSONPath of the bad field ({@code $.released_at})
   * @throws InvalidRequestException when the body as a whole is unusable (codes: invalid_json,
   *     invalid_utf8, too_deep, too_large, invalid_shape)
   */
  public Outcome<T> decode(byte[] body) {
    int start = NativeSpanDecoder.checkEncoding(body);
    JsonParser parser = null;
    try {
      parser = NativeSpanDecoder.JSON.createParser(body, start, body.length - start);
      JsonToken root = parser.nextToken();
      if (root == null) {
        throw new InvalidRequestException(JsonErrors.INVALID_JSON, "the request body is empty; expected a JSON object");
      }
      if (root != JsonToken.START_OBJECT) {
        throw JsonErrors.shape("the body must be one JSON object, got " + JsonPaths.describe(root));
      }
      Outcome<T> outcome;
      try {
        outcome = new Outcome.Accepted<>(type.cast(reader.read(parser)));
      } catch (FieldError e) {
        outcome = new Outcome.Rejected<>(new Rejection(0, "$" + e.path(), e.reason()));
        // Read on to the end, so that a body that is not even JSON is reported as such wherever it breaks.
        while (!parser.getParsingContext().inRoot()) {
          if (parser.nextToken() == null) {
            throw NativeSpanDecoder.truncated(parser);
          }
        }
      }
      if (parser.nextToken() != null) {
        throw new InvalidRequestException(JsonErrors.INVALID_JSON,
            "unexpected content after the JSON document " + JsonErrors.at(parser.currentTokenLocation()));
      }
      return outcome;
    } catch (IOException e) {
      throw JsonErrors.translate(e, parser);
    } finally {
      NativeSpanDecoder.closeQuietly(parser);
    }
  }
}
