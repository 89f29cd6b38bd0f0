package io.llmtrace.sink.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.avro.SketchBins;
import io.llmtrace.schemas.testing.TestRecords;
import io.llmtrace.sink.encoding.RowBinaryBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What MetricRows refuses (the sink dead-letters it); the rows it writes are checked in MetricsSinkIT. */
class MetricRowsTest {

  @Test
  void theFixtureEncodesAndTheAccuracySketchesJavaReportsIsAccepted() {
    // sketches-java reports 0.009999999999999957 for LogarithmicMapping(0.01)
    MetricWindow window = MetricWindow.newBuilder(TestRecords.metricWindow())
        .setLatencySketch(sketch(0.009999999999999957, List.of(1, 2), List.of(3L, 4L))).build();
    RowBinaryBuffer out = new RowBinaryBuffer(256);
    MetricRows.encode(window, 0, 0, out);
    assertThat(out.size()).isGreaterThan(200);
  }

  @Test
  void windowsWhoseSketchesWouldNotMergeAreRefused() {
    assertRefused(MetricWindow.newBuilder(TestRecords.metricWindow()).setLatencySketch(sketch(0.02, List.of(1), List.of(1L))),
        "latency_sketch has relative accuracy 0.02");
    assertRefused(MetricWindow.newBuilder(TestRecords.metricWindow()).setCostSketch(sketch(0.01, List.of(5, 5), List.of(1L, 1L))),
        "cost_sketch indexes are not strictly ascending at position 1: 5 then 5");
    assertRefused(MetricWindow.newBuilder(TestRecords.metricWindow()).setCostPerSuccessSketch(sketch(0.01, List.of(1, 2), List.of(1L))),
        "cost_per_success_sketch has 2 indexes but 1 counts");
    assertRefused(MetricWindow.newBuilder(TestRecords.metricWindow()).setLatencySketch(sketch(0.01, List.of(1), List.of(-1L))),
        "latency_sketch bin 1 has count -1");
    assertRefused(MetricWindow.newBuilder(TestRecords.metricWindow())
        .setLatencySketch(SketchBins.newBuilder(sketch(0.01, List.of(), List.of())).setZeroCount(-2).build()),
        "latency_sketch has zero count -2");
  }

  @Test
  void aWindowWithoutATenantIsRefused() {
    assertRefused(MetricWindow.newBuilder(TestRecords.metricWindow()).setDimensions(Map.of("feature_name", "support_chatbot")),
        "has no tenant_id dimension");
    assertRefused(MetricWindow.newBuilder(TestRecords.metricWindow()).setDimensions(Map.of("tenant_id", "")),
        "has no tenant_id dimension");
  }

  @Test
  void anEmptyGroupIdIsDerivedFromLevelAndDimensionsSoRollupsKeepGroupsApart() {
    MetricWindow legacy = MetricWindow.newBuilder(TestRecords.metricWindow()).setGroupId("").build();
    String id = MetricRows.groupId(legacy);
    assertThat(id).startsWith("derived-").hasSize("derived-".length() + 16);
    assertThat(MetricRows.groupId(MetricWindow.newBuilder(legacy).build())).as("deterministic").isEqualTo(id);
    assertThat(MetricRows.groupId(MetricWindow.newBuilder(legacy).setDimensions(Map.of("tenant_id", "acme", "feature_name", "other"))
        .build())).isNotEqualTo(id);
    assertThat(MetricRows.groupId(MetricWindow.newBuilder(legacy).setMetricName("llm.traces").build())).isNotEqualTo(id);
    assertThat(MetricRows.groupId(TestRecords.metricWindow())).isEqualTo(TestRecords.metricWindow().getGroupId());
  }

  private static void assertRefused(MetricWindow.Builder window, String reason) {
    RowBinaryBuffer out = new RowBinaryBuffer(256);
    assertThatThrownBy(() -> MetricRows.encode(window.build(), 0, 0, out)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(reason);
  }

  private static SketchBins sketch(double accuracy, List<Integer> indexes, List<Long> counts) {
    return SketchBins.newBuilder().setRelativeAccuracy(accuracy).setZeroCount(0).setIndexes(indexes).setCounts(counts).build();
  }
}
