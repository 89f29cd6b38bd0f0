package io.llmtrace.gateway.nativejson;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.math.BigDecimal;

/**
 * Avro {@code int} or {@code long}. Accepts any JSON number whose value is an exact integer in range
 * ({@code 1500}, also {@code 1500.0} or {@code 1.5e3} from producers that only have doubles); rejects
 * fractions and out-of-range values with the number as sent, never wrapping or rounding silently.
 * Range checks on decimals compare exponents first, so {@code 1e999999999} costs no more than {@code 1e30}.
 *
 * @param wide true for {@code long}, false for {@code int}
 */
record IntegralReader(boolean wide) implements ValueReader {

  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  @Override
  public Object read(JsonParser parser) throws IOException {
    long value = readLong(parser);
    if (!wide) {
      if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
        throw outOfRange(parser);
      }
      return (int) value;
    }
    return value;
  }

  /** Shared with {@link TimestampReader}: integer tokens only reach {@link BigDecimal} when they must. */
  long readLong(JsonParser parser) throws IOException {
    JsonToken token = parser.currentToken();
    if (token == JsonToken.VALUE_NUMBER_INT) {
      return switch (parser.getNumberType()) {
        case INT, LONG -> parser.getLongValue();
        default -> throw outOfRange(parser);
      };
    }
    if (token == JsonToken.VALUE_NUMBER_FLOAT) {
      return exactLong(parser);
    }
    throw ValueReader.mismatch(expected(), token);
  }

  private long exactLong(JsonParser parser) throws IOException {
    BigDecimal decimal;
    try {
      decimal = parser.getDecimalValue();
    } catch (StreamConstraintsException | NumberFormatException e) {
      // Exponents too large for BigDecimal or for Jackson's scale limit: 1e999999999 is out of range,
      // 1e-999999999 a tiny fraction.
      throw negativeExponent(parser.getText()) ? notInteger(parser) : outOfRange(parser);
    }
    if (decimal.compareTo(LONG_MIN) < 0 || decimal.compareTo(LONG_MAX) > 0) {
      throw outOfRange(parser);
    }
    if (decimal.signum() != 0 && decimal.scale() > 0 && decimal.stripTrailingZeros().scale() > 0) {
      throw notInteger(parser);
    }
    return decimal.longValue();
  }

  private static boolean negativeExponent(String number) {
    int e = Math.max(number.indexOf('e'), number.indexOf('E'));
    return e >= 0 && e + 1 < number.length() && number.charAt(e + 1) == '-';
  }

  private FieldError outOfRange(JsonParser parser) throws IOException {
    return FieldError.of(JsonPaths.number(parser.getText()) + " is out of range for " + (wide ? "a long" : "an int"));
  }

  private static FieldError notInteger(JsonParser parser) throws IOException {
    return FieldError.of(JsonPaths.number(parser.getText()) + " is not an integer");
  }

  @Override
  public String expected() {
    return "integer";
  }
}
