package io.llmtrace.processors.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmtrace.schemas.avro.ReviewPriority;
import io.llmtrace.schemas.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReviewConfigTest {

  @Test
  void defaultsAreTheBundledQueueAndTheAppsOwnIdAndPort() {
    ReviewConfig config = ReviewConfig.from(Settings.of(Map.of()));

    assertThat(config.streams().applicationId()).isEqualTo("llmtrace-review");
    assertThat(config.streams().adminPort()).isEqualTo(9470);
    assertThat(config.topics().review()).isEqualTo("llm.review");
    assertThat(config.state()).isEqualTo(new ReviewConfig.State(Duration.ofDays(30), Duration.ofMinutes(10), 2_000));
    assertThat(config.policySource()).isEqualTo("bundled /review-queue.yaml");
    ReviewPolicy bundled = ReviewPolicy.bundled();
    assertThat(config.policy().rules()).isEqualTo(bundled.rules());
    assertThat(config.policy().highRiskFeatures()).isEqualTo(bundled.highRiskFeatures());
    assertThat(config.policy().reviewerPattern().pattern()).isEqualTo(ReviewPolicy.DEFAULT_REVIEWER_PATTERN);
  }

  @Test
  void aQueueFileAndTheRetentionAreSettings(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("queue.yaml");
    try (var in = ReviewPolicy.class.getResourceAsStream(ReviewPolicy.BUNDLED)) {
      Files.writeString(file, new String(in.readAllBytes()).replace("priority: low", "priority: urgent"));
    }
    ReviewConfig config = ReviewConfig.from(Settings.of(Map.of("llmtrace.review.queue-file", file.toString(),
        "llmtrace.review.retention", "7d", "llmtrace.review.admin.port", "0")));

    assertThat(config.policy().rule(ReviewReason.SAMPLED_PROMPT_VERSION).priority()).isEqualTo(ReviewPriority.URGENT);
    assertThat(config.policySource()).isEqualTo(file.toString());
    assertThat(config.state().retention()).isEqualTo(Duration.ofDays(7));
    assertThat(config.streams().adminPort()).isZero();
  }

  @Test
  void badSettingsNameKeyAndValue(@TempDir Path dir) {
    assertThatThrownBy(() -> ReviewConfig.from(Settings.of(Map.of("llmtrace.review.queue-file", dir.resolve("none.yaml").toString()))))
        .hasMessageContaining("llmtrace.review.queue-file").hasMessageContaining("no such file");
    assertThatThrownBy(() -> ReviewConfig.from(Settings.of(Map.of("llmtrace.review.retention", "0"))))
        .hasMessageContaining("llmtrace.review.retention").hasMessageContaining("must be positive");
    assertThatThrownBy(() -> ReviewConfig.from(Settings.of(Map.of("llmtrace.review.sweep-interval", "soon"))))
        .hasMessageContaining("llmtrace.review.sweep-interval").hasMessageContaining("soon");
  }
}
