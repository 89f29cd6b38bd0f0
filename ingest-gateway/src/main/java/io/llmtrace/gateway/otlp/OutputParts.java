package io.llmtrace.gateway.otlp;

import io.llmtrace.schemas.avro.ToolCall;
import java.util.List;

/** What one output convention said a model produced; any part may be null (tool calls: empty). */
record OutputParts(String text, List<ToolCall> toolCalls, String finishReason) {

  boolean isEmpty() {
    return text == null && toolCalls.isEmpty() && finishReason == null;
  }
}
