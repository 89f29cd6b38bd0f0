package io.llmtrace.gateway.otlp;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.ByteString;
import io.llmtrace.gateway.intake.InvalidRequestException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The scalar side of {@link OtlpJsonReader}: reads the parser's current token as the protobuf JSON
 * mapping allows for each type (int64 as number or decimal string, enums as number or name, bytes as
 * base64, ids as hex) or throws {@code invalid_otlp_json} naming the OTLP path of the value, taken
 * from the parser's own context only when there is an error.
 */
final class JsonCursor {

  private static final int MAX_ECHO_CHARS = 40;
  private static final int MAX_PATH_CHARS = 120;
  private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  /** Reads one element of an array; the parser stands on the element's first token. */
  @FunctionalInterface
  interface ElementReader {
    void read(JsonToken first) throws IOException;
  }

  private final JsonParser p;

  JsonCursor(JsonParser p) {
    this.p = p;
  }

  void array(JsonToken first, ElementReader element) throws IOException {
    if (first != JsonToken.START_ARRAY) {
      throw error("expected an array, got " + describe(first));
    }
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      element.read(t);
    }
  }

  void expectObject(JsonToken t) {
    if (t != JsonToken.START_OBJECT) {
      throw error("expected an object, got " + describe(t));
    }
  }

  String string(JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_STRING) {
      throw error("expected a string, got " + describe(t));
    }
    return p.getText();
  }

  boolean bool(JsonToken t) {
    return switch (t) {
      case VALUE_TRUE -> true;
      case VALUE_FALSE -> false;
      default -> throw error("expected true or false, got " + describe(t));
    };
  }

  ByteString id(JsonToken t, int bytes) throws IOException {
    String text = string(t);
    ByteString id = Hex.decode(text);
    if (id == null) {
      // A well-formed id of the wrong length passes: the mapper rejects that span alone.
      throw error("expected " + bytes * 2 + " hex characters, got " + echo(text));
    }
    return id;
  }

  ByteString base64(JsonToken t) throws IOException {
    String text = string(t);
    try {
      return ByteString.copyFrom(Base64.getDecoder().decode(text));
    } catch (IllegalArgumentException standardFailed) {
      try {
        return ByteString.copyFrom(Base64.getUrlDecoder().decode(text));
      } catch (IllegalArgumentException e) {
        throw error("expected base64 bytes, got " + echo(text));
      }
    }
  }

  /** int64 comes as a JSON number or, per the protobuf JSON mapping, as a decimal string. */
  long int64(JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      return p.getLongValue();
    }
    if (t == JsonToken.VALUE_STRING) {
      try {
        return Long.parseLong(p.getText());
      } catch (NumberFormatException e) {
        // exponents, fractions and out-of-range values take the slow path below, which says which
      }
    }
    BigInteger value = integer(t);
    if (value.bitLength() > 63) {
      throw error("integer " + echo(value.toString()) + " is out of range for int64");
    }
    return value.longValue();
  }

  /** The timestamps are fixed64; values past 2^63 come back negative and the mapper rejects them. */
  long uint64(JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      long value = p.getLongValue();
      if (value < 0) {
        throw error("expected an unsigned integer, got " + value);
      }
      return value;
    }
    if (t == JsonToken.VALUE_STRING) {
      try {
        return Long.parseUnsignedLong(p.getText());
      } catch (NumberFormatException e) {
        // as in int64: the slow path explains the problem
      }
    }
    BigInteger value = integer(t);
    if (value.signum() < 0 || value.compareTo(UINT64_MAX) > 0) {
      throw error("integer " + echo(value.toString()) + " is out of range for uint64");
    }
    return value.longValue();
  }

  int uint32(JsonToken t) throws IOException {
    long value = uint64(t);
    if (value > 0xFFFF_FFFFL || value < 0) {
      throw error("integer " + Long.toUnsignedString(value) + " is out of range for uint32");
    }
    return (int) value;
  }

  private BigInteger integer(JsonToken t) throws IOException {
    switch (t) {
      case VALUE_NUMBER_INT:
        return p.getBigIntegerValue();
      case VALUE_NUMBER_FLOAT:
        try {
          return p.getDecimalValue().toBigIntegerExact();
        } catch (ArithmeticException e) {
          throw error("expected an integer, got " + echo(p.getText()));
        }
      case VALUE_STRING:
        String text = p.getText();
        try {
          return new BigDecimal(text).toBigIntegerExact();
        } catch (NumberFormatException | ArithmeticException e) {
          throw error("expected an integer, got " + echo(text));
        }
      default:
        throw error("expected an integer, got " + describe(t));
    }
  }

  double float64(JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
      return p.getDoubleValue();
    }
    if (t != JsonToken.VALUE_STRING) {
      throw error("expected a number, got " + describe(t));
    }
    String text = p.getText();
    switch (text) {
      case "NaN":
        return Double.NaN;
      case "Infinity":
        return Double.POSITIVE_INFINITY;
      case "-Infinity":
        return Double.NEGATIVE_INFINITY;
      default:
        try {
          return new BigDecimal(text).doubleValue();
        } catch (NumberFormatException e) {
          throw error("expected a number, got " + echo(text));
        }
    }
  }

  /** OTLP/JSON writes enums as integers; the protobuf JSON mapping writes names. Both are read. */
  int enumValue(JsonToken t, ToIntFunction<String> byName) throws IOException {
    if (t == JsonToken.VALUE_NUMBER_INT) {
      long value = int64(t);
      if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
        throw error("enum value " + value + " is out of range");
      }
      return (int) value;
    }
    if (t != JsonToken.VALUE_STRING) {
      throw error("expected an enum number or name, got " + describe(t));
    }
    String name = p.getText();
    int value = byName.applyAsInt(name);
    if (value < 0) {
      throw error("unknown value " + echo(name));
    }
    return value;
  }

  InvalidRequestException error(String problem) {
    return new InvalidRequestException(OtlpJsonReader.CODE, path() + ": " + problem);
  }

  /**
   * The OTLP path of the current token, e.g. {@code resourceSpans[0].scopeSpans[0].spans[1].traceId},
   * spelled the way the caller spelled the field names. Built only when there is an error.
   */
  private String path() {
    JsonStreamContext context = p.getParsingContext();
    JsonToken t = p.currentToken();
    if ((t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) && context.getParent() != null) {
      context = context.getParent(); // on a start token the parser has already entered the new scope
    }
    List<String> segments = new ArrayList<>();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        segments.add("[" + Math.max(c.getCurrentIndex(), 0) + "]");
      } else if (c.getCurrentName() != null) {
        segments.add(c.getCurrentName());
      }
    }
    if (segments.isEmpty()) {
      return "request body";
    }
    StringBuilder path = new StringBuilder();
    for (int i = segments.size() - 1; i >= 0; i--) {
      String segment = segments.get(i);
      if (path.length() > 0 && segment.charAt(0) != '[') {
        path.append('.');
      }
      path.append(segment);
    }
    return path.toString();
  }

  /** " at line 1, column 20 (in resourceSpans[0].scopeSpans)": where a syntax or limit error hit. */
  String where() {
    JsonLocation location = p.currentLocation();
    String path = path();
    if (path.length() > MAX_PATH_CHARS) {
      path = path.substring(0, MAX_PATH_CHARS) + "…"; // a nesting bomb has a path as deep as itself
    }
    return " at line " + location.getLineNr() + ", column " + location.getColumnNr() + " (in " + path + ")";
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "end of input";
    }
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
    };
  }

  /** Quotes a bad value for the message, cut short: it came from the caller and may be huge. */
  private static String echo(String value) {
    String shown = value.length() <= MAX_ECHO_CHARS ? value : value.substring(0, MAX_ECHO_CHARS) + "…";
    StringBuilder quoted = new StringBuilder(shown.length() + 2).append('\'');
    for (int i = 0; i < shown.length(); i++) {
      char c = shown.charAt(i);
      quoted.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return quoted.append('\'').toString();
  }
}
