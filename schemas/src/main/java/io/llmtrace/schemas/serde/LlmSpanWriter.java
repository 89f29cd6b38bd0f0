package io.llmtrace.schemas.serde;

import io.llmtrace.schemas.avro.Cost;
import io.llmtrace.schemas.avro.Evaluation;
import io.llmtrace.schemas.avro.Feedback;
import io.llmtrace.schemas.avro.GenerationSettings;
import io.llmtrace.schemas.avro.LlmOutput;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.Message;
import io.llmtrace.schemas.avro.ModelInfo;
import io.llmtrace.schemas.avro.OutputValidation;
import io.llmtrace.schemas.avro.PromptInfo;
import io.llmtrace.schemas.avro.RedactionSummary;
import io.llmtrace.schemas.avro.RetrievedDocument;
import io.llmtrace.schemas.avro.Retrieval;
import io.llmtrace.schemas.avro.SpanEvent;
import io.llmtrace.schemas.avro.TokenUsage;
import io.llmtrace.schemas.avro.ToolCall;
import io.llmtrace.schemas.avro.ToolDefinition;
import io.llmtrace.schemas.avro.ToolExecution;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.Encoder;

/**
 * Writes an {@link LlmSpan} field by field with direct encoder calls: the bytes Avro's
 * SpecificDatumWriter writes, without its per-field dispatch and logical-type lookups, which were a
 * fifth of the ingest gateway's CPU. Only for the schema it was written for ({@link #FINGERPRINT});
 * {@code LlmSpanWriterTest} holds it byte-identical to Avro's writer and fails when LlmSpan.avsc changes.
 */
final class LlmSpanWriter implements DatumWriter<LlmSpan> {

  /** Parsing fingerprint (CRC-64-AVRO) of the LlmSpan schema this writer writes. */
  static final long FINGERPRINT = 2603530896082300890L;

  private static final TimeConversions.TimestampMicrosConversion MICROS = new TimeConversions.TimestampMicrosConversion();

  /** True when the generated class is the schema this writer was written for. */
  static boolean matchesGeneratedClass() {
    return SchemaNormalization.parsingFingerprint64(LlmSpan.getClassSchema()) == FINGERPRINT;
  }

  @Override
  public void setSchema(Schema schema) {
    if (SchemaNormalization.parsingFingerprint64(schema) != FINGERPRINT) {
      throw new IllegalArgumentException("LlmSpanWriter writes one LlmSpan layout, not " + schema.getFullName());
    }
  }

  @Override
  public void write(LlmSpan span, Encoder out) throws IOException {
    required(out, span.getTraceId(), "LlmSpan.trace_id");
    required(out, span.getSpanId(), "LlmSpan.span_id");
    string(out, span.getParentSpanId());
    string(out, span.getRequestId());
    string(out, span.getSessionId());
    required(out, span.getTenantId(), "LlmSpan.tenant_id");
    string(out, span.getProjectId());
    string(out, span.getEnvironment());
    string(out, span.getServiceName());
    string(out, span.getFeatureName());
    string(out, span.getAppVersion());
    string(out, span.getUserId());
    out.writeEnum(requiredValue(span.getKind(), "LlmSpan.kind").ordinal());
    required(out, span.getName(), "LlmSpan.name");
    out.writeLong(micros(requiredValue(span.getStartTime(), "LlmSpan.start_time")));
    out.writeLong(micros(requiredValue(span.getEndTime(), "LlmSpan.end_time")));
    out.writeEnum(requiredValue(span.getStatus(), "LlmSpan.status").ordinal());
    string(out, span.getErrorType());
    string(out, span.getErrorMessage());
    if (present(out, span.getAttempt())) {
      out.writeInt(span.getAttempt());
    }
    string(out, span.getRetryOfSpanId());
    out.writeBoolean(span.getFallback());
    out.writeBoolean(span.getRateLimited());
    out.writeBoolean(span.getTimedOut());
    prompt(out, span.getPrompt());
    model(out, span.getModel());
    generation(out, span.getGenerationSettings());
    output(out, span.getOutput());
    usage(out, span.getUsage());
    cost(out, span.getCost());
    retrieval(out, span.getRetrieval());
    tool(out, span.getToolExecution());
    List<Evaluation> evaluations = span.getEvaluations();
    arrayStart(out, evaluations.size());
    for (Evaluation evaluation : evaluations) {
      out.startItem();
      required(out, evaluation.getEvaluatorName(), "Evaluation.evaluator_name");
      string(out, evaluation.getEvaluatorVersion());
      decimal(out, evaluation.getScore());
      bool(out, evaluation.getPassed());
      string(out, evaluation.getLabel());
      string(out, evaluation.getExplanation());
    }
    out.writeArrayEnd();
    List<Feedback> feedback = span.getFeedback();
    arrayStart(out, feedback.size());
    for (Feedback item : feedback) {
      out.startItem();
      required(out, item.getKind(), "Feedback.kind");
      string(out, item.getValue());
      string(out, item.getComment());
    }
    out.writeArrayEnd();
    stringMap(out, span.getAttributes());
    List<SpanEvent> events = span.getEvents();
    arrayStart(out, events.size());
    for (SpanEvent event : events) {
      out.startItem();
      required(out, event.getName(), "SpanEvent.name");
      out.writeLong(micros(event.getTime()));
      stringMap(out, event.getAttributes());
    }
    out.writeArrayEnd();
    redaction(out, span.getRedaction());
    string(out, span.getPolicySeverity());
    decimal(out, span.getCitationCoverage());
    validation(out, span.getOutputValidation());
  }

  private static void prompt(Encoder out, PromptInfo prompt) throws IOException {
    if (!present(out, prompt)) {
      return;
    }
    string(out, prompt.getName());
    string(out, prompt.getVersion());
    string(out, prompt.getTemplateId());
    string(out, prompt.getTemplate());
    stringMap(out, prompt.getVariables());
    List<Message> messages = prompt.getMessages();
    arrayStart(out, messages.size());
    for (Message message : messages) {
      out.startItem();
      required(out, message.getRole(), "Message.role");
      string(out, message.getContent());
      string(out, message.getName());
      string(out, message.getToolCallId());
    }
    out.writeArrayEnd();
  }

  private static void model(Encoder out, ModelInfo model) throws IOException {
    if (!present(out, model)) {
      return;
    }
    string(out, model.getProvider());
    required(out, model.getName(), "ModelInfo.name");
    string(out, model.getVersion());
    string(out, model.getRegion());
  }

  private static void generation(Encoder out, GenerationSettings settings) throws IOException {
    if (!present(out, settings)) {
      return;
    }
    decimal(out, settings.getTemperature());
    if (present(out, settings.getMaxTokens())) {
      out.writeInt(settings.getMaxTokens());
    }
    decimal(out, settings.getTopP());
    integer(out, settings.getSeed());
    string(out, settings.getResponseFormat());
    string(out, settings.getToolChoice());
    List<ToolDefinition> tools = settings.getTools();
    arrayStart(out, tools.size());
    for (ToolDefinition tool : tools) {
      out.startItem();
      required(out, tool.getName(), "ToolDefinition/ToolExecution.name");
      string(out, tool.getDescription());
      string(out, tool.getParametersJson());
    }
    out.writeArrayEnd();
  }

  private static void output(Encoder out, LlmOutput output) throws IOException {
    if (!present(out, output)) {
      return;
    }
    string(out, output.getText());
    string(out, output.getStructuredOutputJson());
    string(out, output.getFinishReason());
    List<ToolCall> calls = output.getToolCalls();
    arrayStart(out, calls.size());
    for (ToolCall call : calls) {
      out.startItem();
      string(out, call.getId());
      required(out, call.getName(), "ToolCall.name");
      string(out, call.getArgumentsJson());
    }
    out.writeArrayEnd();
  }

  private static void usage(Encoder out, TokenUsage usage) throws IOException {
    if (!present(out, usage)) {
      return;
    }
    integer(out, usage.getInputTokens());
    integer(out, usage.getOutputTokens());
    integer(out, usage.getCacheReadTokens());
    integer(out, usage.getCacheWriteTokens());
    integer(out, usage.getReasoningTokens());
    integer(out, usage.getTotalTokens());
  }

  private static void cost(Encoder out, Cost cost) throws IOException {
    if (!present(out, cost)) {
      return;
    }
    decimal(out, cost.getAmount());
    string(out, cost.getCurrency());
    out.writeEnum(cost.getSource().ordinal());
    string(out, cost.getPriceTableVersion());
  }

  private static void retrieval(Encoder out, Retrieval retrieval) throws IOException {
    if (!present(out, retrieval)) {
      return;
    }
    string(out, retrieval.getQuery());
    string(out, retrieval.getIndexName());
    string(out, retrieval.getIndexVersion());
    string(out, retrieval.getEmbeddingModel());
    List<RetrievedDocument> documents = retrieval.getDocuments();
    arrayStart(out, documents.size());
    for (RetrievedDocument document : documents) {
      out.startItem();
      required(out, document.getDocId(), "RetrievedDocument.doc_id");
      string(out, document.getChunkId());
      decimal(out, document.getScore());
      decimal(out, document.getRerankScore());
      bool(out, document.getIncludedInPrompt());
      string(out, document.getContent());
    }
    out.writeArrayEnd();
  }

  private static void tool(Encoder out, ToolExecution tool) throws IOException {
    if (!present(out, tool)) {
      return;
    }
    required(out, tool.getName(), "ToolDefinition/ToolExecution.name");
    string(out, tool.getCallId());
    string(out, tool.getArgumentsJson());
    string(out, tool.getResultContent());
    out.writeEnum(tool.getStatus().ordinal());
  }

  private static void redaction(Encoder out, RedactionSummary redaction) throws IOException {
    if (!present(out, redaction)) {
      return;
    }
    out.writeBoolean(redaction.getApplied());
    Map<String, Integer> counts = redaction.getCountsByDetector();
    out.writeMapStart();
    out.setItemCount(counts.size());
    for (Map.Entry<String, Integer> entry : counts.entrySet()) {
      out.startItem();
      out.writeString(entry.getKey());
      out.writeInt(entry.getValue());
    }
    out.writeMapEnd();
    string(out, redaction.getPolicyVersion());
  }

  private static void validation(Encoder out, OutputValidation validation) throws IOException {
    if (!present(out, validation)) {
      return;
    }
    out.writeBoolean(validation.getJsonRequested());
    out.writeBoolean(validation.getJsonParseFailed());
    out.writeBoolean(validation.getSchemaValidationFailed());
    out.writeInt(validation.getToolArgumentFailures());
    out.writeInt(validation.getChecksNotRun());
    List<String> errors = validation.getErrors();
    arrayStart(out, errors.size());
    for (String error : errors) {
      out.startItem();
      out.writeString(requiredValue(error, "OutputValidation.errors item"));
    }
    out.writeArrayEnd();
  }

  /** A non-nullable string; a null names the field, as Avro's own writer does. */
  private static void required(Encoder out, String value, String field) throws IOException {
    out.writeString(requiredValue(value, field));
  }

  private static <V> V requiredValue(V value, String field) {
    if (value == null) {
      throw new NullPointerException("null value for (non-nullable) field " + field);
    }
    return value;
  }

  /** The branch of a {@code ["null", x]} union; true when the value follows. */
  private static boolean present(Encoder out, Object value) throws IOException {
    out.writeIndex(value == null ? 0 : 1);
    return value != null;
  }

  private static void string(Encoder out, String value) throws IOException {
    if (present(out, value)) {
      out.writeString(value);
    }
  }

  private static void integer(Encoder out, Long value) throws IOException {
    if (present(out, value)) {
      out.writeLong(value);
    }
  }

  private static void decimal(Encoder out, Double value) throws IOException {
    if (present(out, value)) {
      out.writeDouble(value);
    }
  }

  private static void bool(Encoder out, Boolean value) throws IOException {
    if (present(out, value)) {
      out.writeBoolean(value);
    }
  }

  private static void arrayStart(Encoder out, int size) throws IOException {
    out.writeArrayStart();
    out.setItemCount(size);
  }

  private static void stringMap(Encoder out, Map<String, String> map) throws IOException {
    out.writeMapStart();
    out.setItemCount(map.size());
    for (Map.Entry<String, String> entry : map.entrySet()) {
      out.startItem();
      out.writeString(entry.getKey());
      out.writeString(entry.getValue());
    }
    out.writeMapEnd();
  }

  private static long micros(Instant instant) {
    return MICROS.toLong(instant, null, null);
  }
}
