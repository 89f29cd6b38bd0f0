package io.llmtrace.processors.redaction.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedactCliTest {

  private static final String POLICY = Path.of("..", "deploy", "config", "redaction-policy.yaml").toString();

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @Test
  void redactsTextLinesAndReportsWhatFired(@TempDir Path dir) throws Exception {
    Path samples = dir.resolve("samples.txt");
    Files.writeString(samples, "key sk_live_51HqLyjWDarjtT1zdp7dc in a log\nversion 1.2.3, order 10045\n");

    int status = run("--policy", POLICY, samples.toString());

    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(status).isEqualTo(1);
    assertThat(printed).doesNotContain("sk_live_51HqLyjWDarjtT1zdp7dc").contains("# line 1: {stripe_key=1}")
        .contains("version 1.2.3, order 10045").contains("# line 2: nothing found");
  }

  @Test
  void jsonModeRedactsEveryStringValue(@TempDir Path dir) throws Exception {
    Path samples = dir.resolve("spans.jsonl");
    Files.writeString(samples, "{\"spans\":[{\"output\":{\"text\":\"card 4111 1111 1111 1111\"},\"n\":4111}]}\n");

    int status = run("--policy", POLICY, "--json", samples.toString());

    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(status).isEqualTo(1);
    assertThat(printed).contains("[REDACTED:PAYMENT_CARD]").contains("\"n\":4111").contains("payment_card=1");
  }

  @Test
  void aBrokenPolicyIsAUsageErrorNamingTheProblem(@TempDir Path dir) throws Exception {
    Path policy = dir.resolve("bad.yaml");
    Files.writeString(policy, "version: v1\ndetectors:\n  emali: mask\n");
    assertThat(run("--policy", policy.toString(), "-")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("emali");
  }

  private int run(String... args) throws Exception {
    return RedactCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }
}
