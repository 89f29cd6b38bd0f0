package io.llmtrace.processors.redact;

import io.llmtrace.processors.common.ConfigFiles;
import io.llmtrace.processors.common.StreamsSettings;
import io.llmtrace.processors.common.TopicNames;
import io.llmtrace.schemas.config.Settings;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The redaction stage's settings, read once at start-up; a bad value stops it naming key and value.
 *
 * <table>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>llmtrace.redaction.policy-file</td><td>none: the policy bundled in the jar
 *       ({@code redaction-policy.default.yaml}); {@code deploy/config/redaction-policy.yaml} is the shipped example</td></tr>
 *   <tr><td>llmtrace.enrichment.price-table</td><td>none: contract prices that override the bundled price data
 *       ({@code deploy/config/model-prices.yaml} is the shipped example)</td></tr>
 *   <tr><td>llmtrace.redaction.application-id</td><td>llmtrace-redaction</td></tr>
 *   <tr><td>llmtrace.redaction.admin.port</td><td>{@value #DEFAULT_ADMIN_PORT}</td></tr>
 *   <tr><td>llmtrace.topics.*</td><td>see {@link TopicNames}</td></tr>
 * </table>
 * Plus the shared keys of {@link StreamsSettings}. Files are never looked up relative to the working
 * directory: a setting names them, or the bundled default applies.
 */
public record RedactionConfig(StreamsSettings streams, TopicNames topics, Optional<Path> policyFile, Optional<Path> priceTable) {

  public static final String APP = "redaction";
  public static final int DEFAULT_ADMIN_PORT = 9465;

  public RedactionConfig {
    Objects.requireNonNull(streams, "streams");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(policyFile, "policyFile");
    Objects.requireNonNull(priceTable, "priceTable");
  }

  public static RedactionConfig from(Settings settings) {
    return new RedactionConfig(StreamsSettings.from(settings, APP, DEFAULT_ADMIN_PORT), TopicNames.from(settings),
        ConfigFiles.optional(settings, "llmtrace.redaction.policy-file"), ConfigFiles.optional(settings, "llmtrace.enrichment.price-table"));
  }
}
