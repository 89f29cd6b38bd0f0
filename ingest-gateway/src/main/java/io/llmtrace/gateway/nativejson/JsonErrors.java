package io.llmtrace.gateway.nativejson;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import io.llmtrace.gateway.intake.InvalidRequestException;
import java.io.IOException;

/**
 * Turns what the JSON parser refused into a whole-request error with a code and a line and column.
 * Parser errors end the request because the parser cannot resynchronise after them; everything it can
 * continue past is a per-span rejection instead.
 */
final class JsonErrors {

  static final String INVALID_JSON = "invalid_json";
  static final String INVALID_UTF8 = "invalid_utf8";
  static final String TOO_DEEP = "too_deep";
  static final String TOO_LARGE = "too_large";
  static final String INVALID_SHAPE = "invalid_shape";
  static final String TOO_MANY_SPANS = "too_many_spans";
  static final String EMPTY_BATCH = "empty_batch";

  private JsonErrors() {}

  static InvalidRequestException translate(IOException e, JsonParser parser) {
    JsonLocation location = e instanceof JsonProcessingException p ? p.getLocation() : null;
    if (location == null && parser != null) {
      location = parser.currentLocation();
    }
    String at = location == null ? "at the start" : at(location);
    if (e instanceof StreamConstraintsException) {
      // The constraint's getter name is the stable part of Jackson's message.
      String message = String.valueOf(e.getMessage());
      if (message.contains("getMaxNestingDepth")) {
        return new InvalidRequestException(TOO_DEEP,
            "JSON nested deeper than " + NativeSpanDecoder.MAX_NESTING_DEPTH + " levels " + at);
      }
      if (message.contains("getMaxNumberLength")) {
        return new InvalidRequestException(INVALID_JSON,
            "number longer than " + NativeSpanDecoder.MAX_NUMBER_CHARS + " characters " + at);
      }
      if (message.contains("getMaxStringLength") || message.contains("getMaxNameLength")) {
        return new InvalidRequestException(413, TOO_LARGE, "string or field name too long " + at + ": " + message);
      }
      return new InvalidRequestException(INVALID_JSON, "JSON refused " + at + ": " + message);
    }
    if (e instanceof JsonEOFException) {
      return new InvalidRequestException(INVALID_JSON, "unexpected end of input " + at + " (truncated JSON?)");
    }
    String reason = e instanceof JsonProcessingException p ? p.getOriginalMessage() : e.getMessage();
    int hint = reason == null ? -1 : reason.indexOf(": enable `");
    if (hint >= 0) {
      // Jackson suggests parser features to its own users; to a client the fix is in its payload.
      reason = reason.substring(0, hint) + " (not allowed in JSON)";
    }
    return new InvalidRequestException(INVALID_JSON, "malformed JSON " + at + ": " + reason);
  }

  static InvalidRequestException shape(String message) {
    return new InvalidRequestException(INVALID_SHAPE, message);
  }

  static String at(JsonLocation location) {
    return "at line " + location.getLineNr() + ", column " + location.getColumnNr();
  }
}
