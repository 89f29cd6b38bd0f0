package io.llmtrace.gateway.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * Structured attribute values (messages, tool definitions, invocation parameters) arrive either as a
 * JSON string or, from SDKs that support complex attributes, as OTLP arrays and kvlists. This turns
 * both into one Jackson tree so each format is parsed once. Parsing is bounded like the request
 * itself; text that is not JSON yields null and the caller keeps the raw attribute.
 */
final class EmbeddedJson {

  /** A reader bound to JsonNode once: ObjectMapper.readTree would resolve the type on every call. */
  private static final ObjectReader TREE_READER = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(OtlpJsonReader.MAX_DEPTH).build())
      .build())
      .readerFor(JsonNode.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private EmbeddedJson() {}

  /** The value as a JSON tree: a JSON string parsed (null if it is not JSON), a structured value converted. */
  static JsonNode of(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> parse(value.getStringValue());
      case ARRAY_VALUE, KVLIST_VALUE -> convert(value);
      default -> null;
    };
  }

  /** Null unless {@code text} is a JSON object or array: a bare string is not what callers look for. */
  static JsonNode parse(String text) {
    int first = firstNonBlank(text);
    if (first < 0 || (text.charAt(first) != '{' && text.charAt(first) != '[')) {
      return null; // plain text, the common case for content: skip the exception path
    }
    try {
      return TREE_READER.readValue(text);
    } catch (IOException e) {
      return null;
    }
  }

  /** Text of a node: strings as they are, structures as compact JSON, null for missing or JSON null. */
  static String text(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    return node.isValueNode() ? node.asText() : node.toString();
  }

  /** A string member of an object, or null. */
  static String member(JsonNode node, String name) {
    return node == null ? null : text(node.get(name));
  }

  /** Values of an object as strings, in order, for template variables and the like. */
  static void putAllAsText(JsonNode object, Map<String, String> into) {
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String text = text(entry.getValue());
      if (text != null) {
        into.put(entry.getKey(), text);
      }
    }
  }

  private static JsonNode convert(AnyValue value) {
    switch (value.getValueCase()) {
      case STRING_VALUE:
        return NODES.textNode(value.getStringValue());
      case BOOL_VALUE:
        return NODES.booleanNode(value.getBoolValue());
      case INT_VALUE:
        return NODES.numberNode(value.getIntValue());
      case DOUBLE_VALUE:
        return NODES.numberNode(value.getDoubleValue());
      case BYTES_VALUE:
        return NODES.binaryNode(value.getBytesValue().toByteArray());
      case ARRAY_VALUE:
        ArrayNode array = NODES.arrayNode(value.getArrayValue().getValuesCount());
        for (AnyValue element : value.getArrayValue().getValuesList()) {
          array.add(convert(element));
        }
        return array;
      case KVLIST_VALUE:
        ObjectNode object = NODES.objectNode();
        for (KeyValue entry : value.getKvlistValue().getValuesList()) {
          object.set(entry.getKey(), convert(entry.getValue()));
        }
        return object;
      default:
        return NODES.nullNode();
    }
  }

  private static int firstNonBlank(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (!Character.isWhitespace(text.charAt(i))) {
        return i;
      }
    }
    return -1;
  }
}
