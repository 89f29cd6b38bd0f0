package io.llmtrace.gateway.nativejson;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Avro {@code double} or {@code float}: any JSON number that is finite in the target type. JSON has no
 * NaN or Infinity (Jackson refuses them as syntax), but {@code 1e400} parses to infinity and must be
 * refused here rather than stored.
 *
 * @param wide true for {@code double}, false for {@code float}
 */
record FloatingReader(boolean wide) implements ValueReader {

  @Override
  public Object read(JsonParser parser) throws IOException {
    JsonToken token = parser.currentToken();
    if (token != JsonToken.VALUE_NUMBER_FLOAT && token != JsonToken.VALUE_NUMBER_INT) {
      throw ValueReader.mismatch(expected(), token);
    }
    double value = parser.getDoubleValue();
    if (wide) {
      if (!Double.isFinite(value)) {
        throw outOfRange(parser, "a double");
      }
      return value;
    }
    if (!(Math.abs(value) <= Float.MAX_VALUE)) {
      throw outOfRange(parser, "a float");
    }
    return (float) value;
  }

  private static FieldError outOfRange(JsonParser parser, String type) throws IOException {
    return FieldError.of(JsonPaths.number(parser.getText()) + " is out of range for " + type);
  }

  @Override
  public String expected() {
    return "number";
  }
}
