package io.llmtrace.processors.alert;

import io.llmtrace.processors.common.ConfigFiles;
import io.llmtrace.processors.common.StreamsSettings;
import io.llmtrace.processors.common.TopicNames;
import io.llmtrace.schemas.config.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The alert stage's settings; invalid values, and an invalid rules file, stop it at start naming the
 * key (or the rule and field) and the value.
 *
 * <table>
 *   <tr><th>setting</th><th>default</th><th></th></tr>
 *   <tr><td>llmtrace.alerts.rules-file</td><td>the bundled rules ({@code deploy/config/alert-rules.yaml})</td><td></td></tr>
 *   <tr><td>llmtrace.alerts.evaluate-interval</td><td>1s</td><td>how often dirty groups are evaluated (wall clock)</td></tr>
 *   <tr><td>llmtrace.metrics.group-attributes</td><td>customer_tier</td><td>as the metrics stage: attributes in a span's group (immediate rules)</td></tr>
 *   <tr><td>llmtrace.alerts.application-id / .admin.port</td><td>llmtrace-alerts / {@value #DEFAULT_ADMIN_PORT}</td><td></td></tr>
 * </table>
 * Topics: {@link TopicNames} (metrics, redacted spans, redaction events and releases in; alerts out).
 */
public record AlertConfig(StreamsSettings streams, TopicNames topics, List<AlertRule> rules, String rulesSource, Duration evaluateInterval,
    List<String> groupAttributes) {

  public static final String APP = "alerts";
  public static final int DEFAULT_ADMIN_PORT = 9468;
  /** The bundled rules: deploy/config/alert-rules.yaml, copied into the jar by the build. */
  public static final String DEFAULT_RULES = "/alert-rules.yaml";

  /** What evaluating the rules takes, in the alert app or inside the metrics app ({@code llmtrace.metrics.evaluate-alerts}). */
  public record Evaluation(List<AlertRule> rules, String rulesSource, Duration evaluateInterval, List<String> groupAttributes) {

    public static Evaluation from(Settings settings) {
      Optional<Path> file = ConfigFiles.optional(settings, "llmtrace.alerts.rules-file");
      List<AlertRule> rules = file.map(AlertRules::load).orElseGet(AlertConfig::bundledRules);
      Duration interval = settings.duration("llmtrace.alerts.evaluate-interval", Duration.ofSeconds(1));
      if (interval.isZero()) {
        throw new IllegalArgumentException("llmtrace.alerts.evaluate-interval = 0: must be positive");
      }
      String attributes = settings.string("llmtrace.metrics.group-attributes", "customer_tier");
      return new Evaluation(rules, file.map(Path::toString).orElse("bundled " + DEFAULT_RULES), interval,
          Arrays.stream(attributes.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList());
    }

    /** One log line at start: how many rules, from where, their names. */
    public String describe() {
      return rules.size() + " alert rules from " + rulesSource + ": " + rules.stream().map(AlertRule::name).toList();
    }
  }

  public static AlertConfig from(Settings settings) {
    Evaluation evaluation = Evaluation.from(settings);
    return new AlertConfig(StreamsSettings.from(settings, APP, DEFAULT_ADMIN_PORT), TopicNames.from(settings), evaluation.rules(),
        evaluation.rulesSource(), evaluation.evaluateInterval(), evaluation.groupAttributes());
  }

  public Evaluation evaluation() {
    return new Evaluation(rules, rulesSource, evaluateInterval, groupAttributes);
  }

  public static List<AlertRule> bundledRules() {
    try (InputStream in = AlertConfig.class.getResourceAsStream(DEFAULT_RULES)) {
      if (in == null) {
        throw new IllegalStateException("the bundled alert rules " + DEFAULT_RULES + " are missing from the jar");
      }
      return AlertRules.parse(in, "bundled " + DEFAULT_RULES);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
