package io.llmtrace.gateway.nativejson;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import org.apache.avro.Conversion;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;

/**
 * A {@code long} with logical type {@code timestamp-millis}, {@code -micros} or {@code -nanos}: an
 * integer in the schema's unit since the epoch, or an RFC 3339 string, which is what people paste into
 * curl. The result is what the specific model holds: an {@code Instant} when the model registers the
 * conversion (LlmSpan does), the raw count otherwise.
 *
 * @param unitsPerMicro 1000 for nanos, 1 for micros, 0 for millis (divide instead)
 * @param conversion    null when the model keeps the raw long
 */
record TimestampReader(String unit, long unitsPerMicro, Schema schema, Conversion<Object> conversion)
    implements ValueReader {

  private static final IntegralReader LONG = new IntegralReader(true);

  static TimestampReader of(Schema schema, Conversion<Object> conversion) {
    return switch (schema.getLogicalType().getName()) {
      case "timestamp-millis" -> new TimestampReader("milliseconds", 0, schema, conversion);
      case "timestamp-micros" -> new TimestampReader("microseconds", 1, schema, conversion);
      case "timestamp-nanos" -> new TimestampReader("nanoseconds", 1_000, schema, conversion);
      default -> throw new IllegalArgumentException("not a timestamp: " + schema);
    };
  }

  @Override
  public Object read(JsonParser parser) throws IOException {
    JsonToken token = parser.currentToken();
    long value;
    if (token == JsonToken.VALUE_STRING) {
      value = fromText(parser.getText());
    } else if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
      value = LONG.readLong(parser);
    } else {
      throw ValueReader.mismatch(expected(), token);
    }
    if (conversion == null) {
      return value;
    }
    LogicalType type = schema.getLogicalType();
    return conversion.fromLong(value, schema, type);
  }

  private long fromText(String text) {
    long micros = Rfc3339.toEpochMicros(text);
    if (micros == Rfc3339.INVALID) {
      throw FieldError.of("expected an RFC 3339 timestamp such as 2026-06-04T14:12:00.123456Z or integer "
          + unit + " since the epoch, got " + JsonPaths.quote(text));
    }
    if (unitsPerMicro == 0) {
      return Math.floorDiv(micros, 1_000L);
    }
    if (Math.abs(micros) > Long.MAX_VALUE / unitsPerMicro) {
      throw FieldError.of(JsonPaths.quote(text) + " is out of range for " + unit + " since the epoch");
    }
    return micros * unitsPerMicro;
  }

  @Override
  public String expected() {
    return "RFC 3339 timestamp string or integer " + unit + " since the epoch";
  }
}
