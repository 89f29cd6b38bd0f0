package io.llmtrace.processors.enrich;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.stream.Collectors;

/** Jackson's binding errors as one line a person can act on: where (path, line, column) and what. */
public final class JsonErrors {

  private JsonErrors() {}

  public static String describe(JsonProcessingException e) {
    StringBuilder message = new StringBuilder();
    if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
      message.append(path(mapping)).append(": ");
    }
    message.append(what(e));
    JsonLocation at = e.getLocation();
    if (at != null && at.getLineNr() > 0) {
      message.append(" (line ").append(at.getLineNr()).append(", column ").append(at.getColumnNr()).append(')');
    }
    return message.toString();
  }

  private static String what(JsonProcessingException e) {
    if (e instanceof UnrecognizedPropertyException unknown) {
      return "unknown field '" + unknown.getPropertyName() + "', expected one of " + unknown.getKnownPropertyIds();
    }
    // Our records' own checks throw IllegalArgumentException; Jackson wraps them with its class names.
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof IllegalArgumentException) {
        return cause.getMessage();
      }
    }
    return e.getOriginalMessage().lines().findFirst().orElse("");
  }

  /** {@code models[3].input}, from Jackson's reference chain. */
  private static String path(JsonMappingException e) {
    return e.getPath().stream()
        .map(ref -> ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]")
        .collect(Collectors.joining())
        .replaceFirst("^\\.", "");
  }
}
