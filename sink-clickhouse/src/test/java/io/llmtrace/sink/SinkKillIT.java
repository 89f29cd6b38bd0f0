package io.llmtrace.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.stack.Await;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.ChildJvm;
import io.llmtrace.stack.junit.TestNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sink as its own process, killed with SIGKILL (no shutdown hook, no close) while spans keep
 * arriving, then started again: the table ends with every span exactly once.
 */
@ExtendWith(LocalStackExtension.class)
class SinkKillIT {

  private static final int SPANS = 6_000;

  @Test
  void killedMidStreamAndRestartedWritesEverySpanExactlyOnce(StackEndpoints stack, TestNames names) throws Exception {
    SinkFixture fixture = new SinkFixture(stack, names.topic("spans"), names.table("db"), names.group("sink"));
    fixture.createTopic(3);
    List<LlmSpan> spans = SinkIT.spans(SPANS);
    Map<String, String> settings = fixture.settings(Map.of("llmtrace.sink.batch.max-rows", "200", "llmtrace.sink.batch.max-age", "100ms"));
    Path log = Files.createTempFile("sink-kill", ".log");

    Process first = ChildJvm.start(ClickHouseSink.class, settings, log);
    CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
      for (int from = 0; from < SPANS; from += 250) {
        try {
          fixture.produce(spans.subList(from, Math.min(SPANS, from + 250)));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    });
    try {
      Await.until(Duration.ofSeconds(90), "the first sink to write some rows", () -> fixture.countOrMinusOne("SELECT count() FROM spans") >= 500);
      first.destroyForcibly().waitFor();
      assertThat(fixture.count("SELECT count() FROM spans")).as("killed mid-stream").isLessThan(SPANS);
    } finally {
      first.destroyForcibly();
    }

    Process second = ChildJvm.start(ClickHouseSink.class, settings, log);
    try {
      producing.get();
      Await.until(Duration.ofSeconds(120), SPANS + " rows after the restart", () -> fixture.countOrMinusOne("SELECT count() FROM spans") >= SPANS);
      // a late duplicate would land after the count is reached: wait until the sink has committed everything
      Await.until(Duration.ofSeconds(60), "the sink's lag to reach 0", () -> lagIsZero(fixture));
      assertThat(fixture.count("SELECT count() FROM spans")).isEqualTo(SPANS);
      assertThat(fixture.count("SELECT uniqExact(kafka_partition, kafka_offset) FROM spans")).isEqualTo(SPANS);
      assertThat(fixture.count("SELECT uniqExact(span_id) FROM spans")).isEqualTo(SPANS);
    } finally {
      second.destroy();
      second.waitFor();
    }
  }

  private static boolean lagIsZero(SinkFixture fixture) {
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
        Map.of("bootstrap.servers", fixture.stack.kafkaBootstrap()))) {
      var committed = admin.listConsumerGroupOffsets(fixture.group + ".spans").partitionsToOffsetAndMetadata().get();
      long total = committed.values().stream().mapToLong(offset -> offset == null ? 0 : offset.offset()).sum();
      boolean noPending = committed.values().stream().allMatch(offset -> offset != null && offset.metadata().isEmpty());
      return committed.size() == 3 && total == SPANS && noPending;
    } catch (Exception e) {
      return false;
    }
  }
}
