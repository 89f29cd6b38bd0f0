package io.llmtrace.schemas.evolution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.avro.ReleaseMarker;
import io.llmtrace.schemas.avro.ReviewItem;
import io.llmtrace.schemas.avro.TraceSummary;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The evolution guard: every schema must read data written with its last released version
 * (BACKWARD), and the guard must reject the changes that would break readers.
 */
class SchemaCompatibilityTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  static List<String> currentSchemas() {
    return SchemaFiles.currentNames();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("currentSchemas")
  void currentSchemaReadsDataWrittenWithTheReleasedVersion(String name) {
    Schema released = SchemaFiles.resource("released", name);
    if (released == null) {
      fail(name + ".avsc has no released version: copy it to src/test/resources/released/ when it"
          + " is released (a new schema is released as it is)");
    }

    CompatibilityGuard.checkBackward(name, SchemaFiles.current(name), released)
        .ifPresent(problem -> fail(problem));
  }

  @Test
  void everyReleasedSchemaStillExists() {
    List<String> released = List.of("AlertEvent", "LlmSpan", "MetricWindow", "ReleaseMarker", "ReviewItem", "TraceSummary");

    assertThat(SchemaFiles.currentNames())
        .as("deleting a released schema strands its topic's readers")
        .containsAll(released);
  }

  @Test
  void generatedClassesAreTheCurrentFiles() throws Exception {
    Map<String, Schema> generated =
        Map.of(
            "LlmSpan", LlmSpan.getClassSchema(),
            "TraceSummary", TraceSummary.getClassSchema(),
            "MetricWindow", MetricWindow.getClassSchema(),
            "AlertEvent", AlertEvent.getClassSchema(),
            "ReviewItem", ReviewItem.getClassSchema(),
            "ReleaseMarker", ReleaseMarker.getClassSchema());

    assertThat(generated.keySet()).containsExactlyInAnyOrderElementsOf(SchemaFiles.currentNames());
    for (Map.Entry<String, Schema> entry : generated.entrySet()) {
      assertThat(withoutJavaStringProps(entry.getValue()).toString())
          .as(entry.getKey())
          .isEqualTo(SchemaFiles.current(entry.getKey()).toString());
    }
  }

  @Test
  void guardRejectsTheBrokenSchemaWithANewRequiredField() {
    Schema broken = SchemaFiles.resource("broken", "LlmSpan");

    Optional<String> verdict =
        CompatibilityGuard.checkBackward("LlmSpan", broken, SchemaFiles.resource("released", "LlmSpan"));

    assertThat(verdict)
        .hasValueSatisfying(
            message ->
                assertThat(message)
                    .startsWith("LlmSpan: ")
                    .contains("BACKWARD incompatible")
                    .contains("READER_FIELD_MISSING_DEFAULT_VALUE")
                    .contains("cost_center"));
  }

  @Test
  void guardRejectsAChangedFieldType() throws Exception {
    Schema changed = withField(LlmSpan.getClassSchema(), "start_time", JSON.getNodeFactory().textNode("string"));

    Optional<String> verdict = CompatibilityGuard.checkBackward("LlmSpan", changed, LlmSpan.getClassSchema());

    assertThat(verdict)
        .hasValueSatisfying(message -> assertThat(message).contains("TYPE_MISMATCH").contains("/fields/"));
  }

  @Test
  void guardAcceptsANewOptionalFieldAndANewEnumSymbol() throws Exception {
    ObjectNode json = (ObjectNode) JSON.readTree(LlmSpan.getClassSchema().toString());
    ((ArrayNode) json.get("fields"))
        .addObject()
        .put("name", "cost_center")
        .putNull("default")
        .putArray("type")
        .add("null")
        .add("string");
    ((ArrayNode) field(json, "kind").get("type").get("symbols")).add("PLANNER");
    Schema evolved = new Schema.Parser().parse(json.toString());

    assertThat(CompatibilityGuard.checkBackward("LlmSpan", evolved, LlmSpan.getClassSchema())).isEmpty();
  }

  /** The compiler marks strings with avro.java.string=String; apart from that the schemas must be equal. */
  private static Schema withoutJavaStringProps(Schema schema) throws Exception {
    JsonNode json = JSON.readTree(schema.toString());
    removeJavaStringProps(json);
    return new Schema.Parser().parse(json.toString());
  }

  private static void removeJavaStringProps(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object.remove("avro.java.string");
    }
    node.forEach(SchemaCompatibilityTest::removeJavaStringProps);
  }

  private static Schema withField(Schema schema, String name, JsonNode type) throws Exception {
    ObjectNode json = (ObjectNode) JSON.readTree(schema.toString());
    field(json, name).set("type", type);
    return new Schema.Parser().parse(json.toString());
  }

  private static ObjectNode field(ObjectNode record, String name) {
    for (JsonNode field : record.get("fields")) {
      if (field.get("name").asText().equals(name)) {
        return (ObjectNode) field;
      }
    }
    throw new IllegalArgumentException("no field " + name);
  }
}
