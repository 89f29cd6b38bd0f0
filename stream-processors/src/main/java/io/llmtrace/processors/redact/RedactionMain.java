package io.llmtrace.processors.redact;

import io.llmtrace.processors.common.StreamsRunner;
import io.llmtrace.schemas.config.Settings;

/** Process entry point of the redaction stage ({@link RedactionApp}, settings in {@link RedactionConfig}). */
public final class RedactionMain {

  private RedactionMain() {}

  public static void main(String[] args) throws InterruptedException {
    Settings settings = Settings.fromEnvironment();
    RedactionConfig config;
    try {
      config = RedactionConfig.from(settings);
      RedactionApp.scrubber(config, settings::env);
    } catch (RuntimeException e) {
      System.err.println("redaction stage: " + e.getMessage());
      System.exit(2);
      return;
    }
    System.exit(StreamsRunner.runUntilStopped("redaction", RedactionApp.topology(config, settings::env), config.streams()));
  }
}
