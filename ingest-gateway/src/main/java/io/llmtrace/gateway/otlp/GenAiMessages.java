package io.llmtrace.gateway.otlp;

import static io.llmtrace.gateway.otlp.EmbeddedJson.member;
import static io.llmtrace.gateway.otlp.EmbeddedJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmtrace.schemas.avro.Message;
import io.llmtrace.schemas.avro.ToolCall;
import io.llmtrace.schemas.avro.ToolDefinition;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON shapes messages and tools take in GenAI telemetry, read into LlmSpan records. Current
 * semconv messages hold typed {@code parts} ({@code text}, {@code tool_call}, {@code tool_call_response});
 * older semconv and most SDKs write OpenAI-style {@code {role, content, tool_calls}}; both are read.
 * Message text is the text parts joined by newlines; a message with no text keeps its parts as
 * compact JSON so that nothing it said is lost.
 */
final class GenAiMessages {

  private GenAiMessages() {}

  /** Input messages from an array (or a single message object); null if the shape is not recognised. */
  static List<Message> input(JsonNode node) {
    if (node == null) {
      return null;
    }
    if (node.isObject()) {
      return List.of(message(node, "user"));
    }
    if (!node.isArray()) {
      return null;
    }
    List<Message> messages = new ArrayList<>(node.size());
    for (JsonNode element : node) {
      if (!element.isObject()) {
        return null;
      }
      messages.add(message(element, "user"));
    }
    return messages;
  }

  /** One message; {@code defaultRole} applies when the producer left the role out. */
  static Message message(JsonNode message, String defaultRole) {
    String role = member(message, "role");
    String toolCallId = member(message, "tool_call_id");
    String content;
    JsonNode parts = message.get("parts");
    if (parts != null && parts.isArray()) {
      content = joinText(parts);
      JsonNode response = firstOfType(parts, "tool_call_response");
      if (response != null) {
        content = content != null ? content : text(response.get("response"));
        toolCallId = toolCallId != null ? toolCallId : member(response, "id");
      }
      if (content == null && !parts.isEmpty()) {
        content = parts.toString();
      }
    } else {
      content = contentText(message.get("content"));
      if (content == null && message.has("tool_calls")) {
        content = text(message.get("tool_calls")); // Message has no tool-call field: keep them as JSON
      }
    }
    return new Message(role != null ? role : defaultRole, content, member(message, "name"), toolCallId);
  }

  /** {@code gen_ai.system_instructions}: an array of parts, or plain text. */
  static Message systemInstructions(JsonNode parts, String plainText) {
    String content = parts == null ? plainText : parts.isArray() ? joinText(parts) : contentText(parts);
    return content == null ? null : new Message("system", content, null, null);
  }

  /**
   * Output messages, in current semconv ({@code [{role, parts, finish_reason}]}), OpenAI message style,
   * or OpenAI choices ({@code [{message, finish_reason}]}). Texts of several choices are joined.
   */
  static OutputParts output(JsonNode node) {
    if (node == null || !(node.isArray() || node.isObject())) {
      return null;
    }
    List<String> texts = new ArrayList<>(1);
    List<ToolCall> toolCalls = new ArrayList<>(0);
    String finishReason = null;
    for (JsonNode element : node.isArray() ? node : List.of(node)) {
      JsonNode message = element.has("message") ? element.get("message") : element;
      finishReason = finishReason != null ? finishReason : member(element, "finish_reason");
      JsonNode parts = message.get("parts");
      if (parts != null && parts.isArray()) {
        addIfPresent(texts, joinText(parts));
        for (JsonNode part : parts) {
          if ("tool_call".equals(member(part, "type"))) {
            addIfPresent(toolCalls, toolCall(member(part, "id"), member(part, "name"), part.get("arguments")));
          }
        }
      } else {
        addIfPresent(texts, contentText(message.get("content")));
        toolCalls.addAll(openAiToolCalls(message.get("tool_calls")));
      }
    }
    OutputParts output = new OutputParts(texts.isEmpty() ? null : String.join("\n", texts), toolCalls, finishReason);
    return output.isEmpty() ? null : output;
  }

  /** {@code [{type, name, description, parameters}]}, OpenAI's {@code {type, function: {...}}}, or Anthropic's input_schema. */
  static List<ToolDefinition> toolDefinitions(JsonNode node) {
    if (node == null || !node.isArray()) {
      ToolDefinition single = toolDefinition(node);
      return single == null ? null : List.of(single);
    }
    List<ToolDefinition> tools = new ArrayList<>(node.size());
    for (JsonNode element : node) {
      addIfPresent(tools, toolDefinition(element));
    }
    return tools.isEmpty() ? null : tools;
  }

  static ToolDefinition toolDefinition(JsonNode node) {
    if (node == null || !node.isObject()) {
      return null;
    }
    JsonNode tool = node.has("function") && node.get("function").isObject() ? node.get("function") : node;
    String name = member(tool, "name");
    if (name == null) {
      return null;
    }
    JsonNode parameters = tool.has("parameters") ? tool.get("parameters") : tool.get("input_schema");
    return new ToolDefinition(name, member(tool, "description"), text(parameters));
  }

  /** OpenAI's {@code [{id, type: "function", function: {name, arguments}}]}. */
  static List<ToolCall> openAiToolCalls(JsonNode node) {
    if (node == null || !node.isArray()) {
      return List.of();
    }
    List<ToolCall> calls = new ArrayList<>(node.size());
    for (JsonNode call : node) {
      JsonNode function = call.has("function") ? call.get("function") : call;
      addIfPresent(calls, toolCall(member(call, "id"), member(function, "name"), function.get("arguments")));
    }
    return calls;
  }

  /** Arguments may be a JSON string already or a structure; either way they end up as JSON text. */
  static ToolCall toolCall(String id, String name, JsonNode arguments) {
    return name == null ? null : new ToolCall(id, name, text(arguments));
  }

  /** Plain content, or OpenAI content parts ({@code [{type: "text", text}]}) joined; other shapes as JSON. */
  private static String contentText(JsonNode content) {
    if (content == null || !content.isArray()) {
      return text(content);
    }
    String joined = joinText(content);
    return joined != null ? joined : content.isEmpty() ? null : content.toString();
  }

  /** Text parts joined by newlines: semconv parts carry {@code content}, OpenAI parts {@code text}. */
  private static String joinText(JsonNode parts) {
    StringBuilder joined = null;
    for (JsonNode part : parts) {
      String text = part.isTextual() ? part.asText() : "text".equals(member(part, "type"))
          ? (part.has("content") ? member(part, "content") : member(part, "text"))
          : null;
      if (text != null) {
        joined = joined == null ? new StringBuilder(text) : joined.append('\n').append(text);
      }
    }
    return joined == null ? null : joined.toString();
  }

  private static JsonNode firstOfType(JsonNode parts, String type) {
    for (JsonNode part : parts) {
      if (type.equals(member(part, "type"))) {
        return part;
      }
    }
    return null;
  }

  private static <T> void addIfPresent(List<T> list, T item) {
    if (item != null) {
      list.add(item);
    }
  }
}
