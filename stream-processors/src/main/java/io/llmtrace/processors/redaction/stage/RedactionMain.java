package io.llmtrace.processors.redaction.stage;

import io.llmtrace.schemas.config.Settings;

/** Process entry point of the redaction stage: {@link RedactionApp} with the policy file's scrubber. */
public final class RedactionMain {

  private RedactionMain() {}

  public static void main(String[] args) throws InterruptedException {
    try {
      RedactionApp.run(Settings.fromEnvironment());
    } catch (RuntimeException e) {
      System.err.println("redaction stage: " + e.getMessage());
      System.exit(2);
    }
  }
}
