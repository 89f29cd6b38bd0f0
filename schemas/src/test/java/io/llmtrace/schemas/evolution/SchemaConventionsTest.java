package io.llmtrace.schemas.evolution;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * The conventions analysts and evolution rely on, checked over every field of every schema: snake
 * case, a doc on each field, optional means {@code ["null", T]} defaulting to null, enums with a
 * default symbol, and no field without a default unless it is listed here as truly required.
 */
class SchemaConventionsTest {

  private static final Pattern SNAKE_CASE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");

  /** Fields with no default. Adding one here is a decision: old data cannot fill it. */
  private static final Set<String> REQUIRED =
      Set.of(
          "LlmSpan.trace_id", "LlmSpan.span_id", "LlmSpan.tenant_id", "LlmSpan.kind", "LlmSpan.name",
          "LlmSpan.start_time", "LlmSpan.end_time",
          "Message.role", "ModelInfo.name", "ToolDefinition.name", "ToolCall.name",
          "RetrievedDocument.doc_id", "ToolExecution.name", "Evaluation.evaluator_name",
          "Feedback.kind", "SpanEvent.name", "SpanEvent.time", "RedactionSummary.applied",
          "TraceSummary.trace_id", "TraceSummary.tenant_id", "TraceSummary.start_time",
          "TraceSummary.end_time", "TraceSummary.span_count",
          "TraceError.span_id", "TraceError.span_name", "SlowestSpan.span_id", "SlowestSpan.name", "SlowestSpan.kind",
          "SlowestSpan.duration_micros", "CriticalStep.name", "CriticalStep.micros", "SketchBins.relative_accuracy",
          "MetricWindow.window_start", "MetricWindow.window_end", "MetricWindow.metric_name",
          "MetricWindow.count",
          "AlertEvent.alert_id", "AlertEvent.rule_id", "AlertEvent.rule_name", "AlertEvent.severity",
          "AlertEvent.measured_value", "AlertEvent.threshold", "AlertEvent.window_start",
          "AlertEvent.window_end", "AlertEvent.fired_at",
          "ReviewItem.trace_id", "ReviewItem.tenant_id", "ReviewItem.reason", "ReviewItem.created_at",
          "ReleaseMarker.release_id", "ReleaseMarker.tenant_id", "ReleaseMarker.service_name", "ReleaseMarker.released_at",
          "ReleaseMarker.received_at");

  @Test
  void everySchemaFollowsTheConventions() {
    List<String> violations = new ArrayList<>();
    Set<String> visited = new HashSet<>();
    for (String name : SchemaFiles.currentNames()) {
      check(SchemaFiles.current(name), violations, visited);
    }

    assertThat(violations).isEmpty();
  }

  @Test
  void requiredListNamesOnlyExistingFields() {
    Set<String> fields = new HashSet<>();
    for (String name : SchemaFiles.currentNames()) {
      collectFields(SchemaFiles.current(name), fields, new HashSet<>());
    }

    assertThat(fields).containsAll(REQUIRED);
  }

  private static void check(Schema schema, List<String> violations, Set<String> visited) {
    switch (schema.getType()) {
      case RECORD -> {
        if (!visited.add(schema.getFullName())) {
          return;
        }
        for (Schema.Field field : schema.getFields()) {
          String where = schema.getName() + "." + field.name();
          if (!SNAKE_CASE.matcher(field.name()).matches()) {
            violations.add(where + " is not snake_case");
          }
          if (field.doc() == null || field.doc().isBlank()) {
            violations.add(where + " has no doc");
          }
          checkOptionality(where, field, violations);
          check(field.schema(), violations, visited);
        }
      }
      case UNION -> schema.getTypes().forEach(branch -> check(branch, violations, visited));
      case ARRAY -> check(schema.getElementType(), violations, visited);
      case MAP -> check(schema.getValueType(), violations, visited);
      case ENUM -> {
        if (visited.add(schema.getFullName()) && schema.getEnumDefault() == null) {
          violations.add(schema.getName() + " has no enum default symbol");
        }
      }
      default -> {}
    }
  }

  private static void checkOptionality(String where, Schema.Field field, List<String> violations) {
    Schema type = field.schema();
    if (type.getType() == Schema.Type.UNION) {
      List<Schema> branches = type.getTypes();
      boolean nullFirst = branches.size() == 2 && branches.get(0).getType() == Schema.Type.NULL;
      if (!nullFirst || field.defaultVal() != JsonProperties.NULL_VALUE) {
        violations.add(where + " must be [\"null\", T] with default null");
      }
    } else if (!field.hasDefaultValue() && !REQUIRED.contains(where)) {
      violations.add(where + " has no default and is not in the REQUIRED list");
    }
  }

  private static void collectFields(Schema schema, Set<String> fields, Set<String> visited) {
    switch (schema.getType()) {
      case RECORD -> {
        if (visited.add(schema.getFullName())) {
          schema.getFields().forEach(f -> {
            fields.add(schema.getName() + "." + f.name());
            collectFields(f.schema(), fields, visited);
          });
        }
      }
      case UNION -> schema.getTypes().forEach(s -> collectFields(s, fields, visited));
      case ARRAY -> collectFields(schema.getElementType(), fields, visited);
      case MAP -> collectFields(schema.getValueType(), fields, visited);
      default -> {}
    }
  }
}
