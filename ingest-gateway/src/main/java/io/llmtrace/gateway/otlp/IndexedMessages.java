package io.llmtrace.gateway.otlp;

import static io.llmtrace.gateway.otlp.IndexedKeys.index;
import static io.llmtrace.gateway.otlp.IndexedKeys.skip;
import static io.llmtrace.gateway.otlp.IndexedKeys.slot;

import io.llmtrace.schemas.avro.Message;
import io.llmtrace.schemas.avro.ToolCall;
import io.opentelemetry.proto.common.v1.AnyValue;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects a message list flattened into indexed keys and rebuilds it. One parser serves both
 * dialects: OpenInference ({@code 0.message.role}, {@code 0.message.tool_calls.1.tool_call.function.name},
 * {@code 0.message.contents.2.message_content.text}) and OpenLLMetry's older {@code gen_ai.prompt.N} /
 * {@code gen_ai.completion.N} ({@code 0.role}, {@code 0.tool_calls.1.name}).
 */
final class IndexedMessages {

  private static final class Entry {
    String role;
    String content;
    final List<String> contentParts = new ArrayList<>(0);
    String name;
    String toolCallId;
    String finishReason;
    final List<String[]> toolCalls = new ArrayList<>(0); // {id, name, arguments}
  }

  private final List<Entry> entries = new ArrayList<>(4);

  /**
   * @param from where the index starts in {@code key}, just after the list's prefix
   * @return whether the key was understood (otherwise it stays an ordinary attribute)
   */
  boolean apply(String key, int from, AnyValue value) {
    int dot = key.indexOf('.', from);
    int index = dot < 0 ? -1 : index(key, from, dot);
    String text = AttributeValues.asString(value);
    if (index < 0 || text == null) {
      return false;
    }
    int at = skip(key, dot + 1, "message.");
    Entry entry = slot(entries, index, Entry::new);
    switch (key.substring(at)) {
      case "role" -> entry.role = text;
      case "content" -> entry.content = text;
      case "name" -> entry.name = text;
      case "tool_call_id" -> entry.toolCallId = text;
      case "finish_reason" -> entry.finishReason = text;
      default -> {
        if (key.startsWith("tool_calls.", at)) {
          return toolCall(entry, key, at + "tool_calls.".length(), text);
        }
        if (key.startsWith("contents.", at)) {
          return contentPart(entry, key, at + "contents.".length(), text);
        }
        return false;
      }
    }
    return true;
  }

  private static boolean toolCall(Entry entry, String key, int from, String text) {
    int dot = key.indexOf('.', from);
    int index = dot < 0 ? -1 : index(key, from, dot);
    if (index < 0) {
      return false;
    }
    int at = skip(key, skip(key, dot + 1, "tool_call."), "function.");
    String[] call = slot(entry.toolCalls, index, () -> new String[3]);
    switch (key.substring(at)) {
      case "id" -> call[0] = text;
      case "name" -> call[1] = text;
      case "arguments" -> call[2] = text;
      default -> {
        return false;
      }
    }
    return true;
  }

  /** Multimodal content: text parts are kept, the type marker is consumed, images stay attributes. */
  private static boolean contentPart(Entry entry, String key, int from, String text) {
    int dot = key.indexOf('.', from);
    int index = dot < 0 ? -1 : index(key, from, dot);
    if (index < 0) {
      return false;
    }
    int at = skip(key, dot + 1, "message_content.");
    switch (key.substring(at)) {
      case "text" -> slot(entry.contentParts, index, () -> text);
      case "type" -> {
        // "text" or "image": implied by the sibling keys
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  /** The messages in index order; gaps (a producer that skipped an index) are left out. */
  List<Message> messages() {
    List<Message> messages = new ArrayList<>(entries.size());
    for (Entry entry : entries) {
      if (entry != null) {
        messages.add(new Message(entry.role != null ? entry.role : "user", content(entry), entry.name, entry.toolCallId));
      }
    }
    return messages;
  }

  /** The list read as model output: contents joined, tool calls in order, the first finish reason. */
  OutputParts output() {
    List<String> texts = new ArrayList<>(1);
    List<ToolCall> toolCalls = new ArrayList<>(0);
    String finishReason = null;
    for (Entry entry : entries) {
      if (entry == null) {
        continue;
      }
      String content = content(entry);
      if (content != null) {
        texts.add(content);
      }
      for (String[] call : entry.toolCalls) {
        if (call != null && call[1] != null) {
          toolCalls.add(new ToolCall(call[0], call[1], call[2]));
        }
      }
      finishReason = finishReason != null ? finishReason : entry.finishReason;
    }
    OutputParts output = new OutputParts(texts.isEmpty() ? null : String.join("\n", texts), toolCalls, finishReason);
    return output.isEmpty() ? null : output;
  }

  private static String content(Entry entry) {
    if (entry.content != null || entry.contentParts.isEmpty()) {
      return entry.content;
    }
    StringBuilder joined = new StringBuilder();
    for (String part : entry.contentParts) {
      if (part != null) {
        joined.append(joined.length() > 0 ? "\n" : "").append(part);
      }
    }
    return joined.toString();
  }
}
