package io.llmtrace.gateway.otlp;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.Base64;
import java.util.List;

/**
 * Reads an OTLP {@link AnyValue} as the type an LlmSpan field needs, and renders any value as the
 * string the attribute map stores. Conversions are lenient where SDKs differ (a token count sent as
 * a double or a numeric string still counts) and return null where the value does not fit, so the
 * caller can keep the attribute as it came instead of guessing.
 */
final class AttributeValues {

  private AttributeValues() {}

  /** Scalars as text ({@code 42}, {@code true}); null for arrays, kvlists, bytes and empty values. */
  static String asString(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
      case INT_VALUE -> Long.toString(value.getIntValue());
      case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
      default -> null;
    };
  }

  /** A non-empty scalar string, or null: empty ids and names carry no information. */
  static String asText(AnyValue value) {
    String text = asString(value);
    return text == null || text.isEmpty() ? null : text;
  }

  static Long asLong(AnyValue value) {
    switch (value.getValueCase()) {
      case INT_VALUE:
        return value.getIntValue();
      case DOUBLE_VALUE:
        double d = value.getDoubleValue();
        return d == Math.rint(d) && Math.abs(d) < 0x1p63 ? (long) d : null;
      case STRING_VALUE:
        try {
          return Long.parseLong(value.getStringValue().trim());
        } catch (NumberFormatException e) {
          return null;
        }
      default:
        return null;
    }
  }

  static Integer asInt(AnyValue value) {
    Long number = asLong(value);
    return number == null || number != number.intValue() ? null : number.intValue();
  }

  static Double asDouble(AnyValue value) {
    switch (value.getValueCase()) {
      case DOUBLE_VALUE:
        return value.getDoubleValue();
      case INT_VALUE:
        return (double) value.getIntValue();
      case STRING_VALUE:
        try {
          return Double.parseDouble(value.getStringValue().trim());
        } catch (NumberFormatException e) {
          return null;
        }
      default:
        return null;
    }
  }

  static Boolean asBoolean(AnyValue value) {
    if (value.getValueCase() == AnyValue.ValueCase.BOOL_VALUE) {
      return value.getBoolValue();
    }
    if (value.getValueCase() == AnyValue.ValueCase.STRING_VALUE) {
      String text = value.getStringValue();
      if (text.equalsIgnoreCase("true")) {
        return true;
      }
      if (text.equalsIgnoreCase("false")) {
        return false;
      }
    }
    return null;
  }

  /** The attribute-map form: scalars as text, bytes as base64, arrays and kvlists as compact JSON. */
  static String render(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> value.getStringValue();
      case BYTES_VALUE -> Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray());
      case ARRAY_VALUE, KVLIST_VALUE -> {
        StringBuilder json = new StringBuilder(64);
        appendJson(json, value);
        yield json.toString();
      }
      case VALUE_NOT_SET -> "";
      default -> asString(value);
    };
  }

  /** Depth is bounded by the decoders' nesting limit, so plain recursion is safe here. */
  static void appendJson(StringBuilder json, AnyValue value) {
    switch (value.getValueCase()) {
      case STRING_VALUE -> appendQuoted(json, value.getStringValue());
      case BOOL_VALUE -> json.append(value.getBoolValue());
      case INT_VALUE -> json.append(value.getIntValue());
      case DOUBLE_VALUE -> {
        double d = value.getDoubleValue();
        if (Double.isFinite(d)) {
          json.append(d);
        } else {
          appendQuoted(json, Double.toString(d)); // JSON has no NaN; quote it as protobuf JSON does
        }
      }
      case BYTES_VALUE -> appendQuoted(json, Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray()));
      case ARRAY_VALUE -> {
        json.append('[');
        for (int i = 0; i < value.getArrayValue().getValuesCount(); i++) {
          if (i > 0) {
            json.append(',');
          }
          appendJson(json, value.getArrayValue().getValues(i));
        }
        json.append(']');
      }
      case KVLIST_VALUE -> appendObject(json, value.getKvlistValue().getValuesList());
      default -> json.append("null");
    }
  }

  static void appendObject(StringBuilder json, List<KeyValue> entries) {
    json.append('{');
    for (int i = 0; i < entries.size(); i++) {
      KeyValue entry = entries.get(i);
      if (i > 0) {
        json.append(',');
      }
      appendQuoted(json, entry.getKey());
      json.append(':');
      appendJson(json, entry.getValue());
    }
    json.append('}');
  }

  private static void appendQuoted(StringBuilder json, String text) {
    json.append('"');
    JsonStringEncoder.getInstance().quoteAsString(text, json);
    json.append('"');
  }
}
