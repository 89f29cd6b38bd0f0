package io.llmtrace.processors.review;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.llmtrace.processors.enrich.JsonErrors;
import io.llmtrace.schemas.avro.ReviewPriority;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What sends a trace to the review queue and how often: the queue file ({@code deploy/config/review-queue.yaml},
 * bundled as the default), bound to records by Jackson with unknown fields refused and every error naming the
 * field, line and column. Every configurable reason must be listed (a reason left out would silently stop or
 * start queueing); each has {@code enabled}, {@code sample_rate} (0..1, deterministic per trace and reason) and
 * {@code priority}, plus its own parameters. {@code alert_example} takes its priority from the alert's severity.
 *
 * @param rules              per configurable reason (every reason but {@link ReviewReason#REVIEWED})
 * @param scoreBelow         low judge confidence: a judge's lowest score on the trace is below this
 * @param judges             the evaluators whose scores count for low confidence; empty = every one but human_review
 * @param highRiskFeatures   features whose traces are high-risk
 * @param newVersionFor      a prompt version is new for this long after its first trace (zero: never new)
 * @param canaryEnvironments environments whose traces count as a new prompt version's canary traffic
 * @param maxToolCalls       a trace with more tool calls than this qualifies for tool_call_limit
 * @param labels             the labels a reviewer may give
 * @param reviewerPattern    what a pseudonymous reviewer id looks like; other ids are not stored
 */
public record ReviewPolicy(Map<ReviewReason, Rule> rules, double scoreBelow, Set<String> judges, Set<String> highRiskFeatures,
    Duration newVersionFor, Set<String> canaryEnvironments, int maxToolCalls, Set<String> labels, Pattern reviewerPattern) {

  /** The evaluator name of a reviewer's decision. */
  public static final String HUMAN_REVIEW = "human_review";
  /** The bundled queue file: deploy/config/review-queue.yaml, copied into the jar by the build. */
  public static final String BUNDLED = "/review-queue.yaml";
  public static final List<String> DEFAULT_LABELS = List.of("correct", "partially_correct", "hallucinated", "unsafe", "incomplete",
      "tool_error");
  /** The redaction stage's user-id pseudonym ({@code hash_user_ids}): {@code uid_} and 16 hex digits. */
  public static final String DEFAULT_REVIEWER_PATTERN = "uid_[0-9a-f]{16}";

  /** One reason's switch, sampling rate and priority. */
  public record Rule(boolean enabled, double sampleRate, ReviewPriority priority) {
    public Rule {
      Objects.requireNonNull(priority, "priority");
      if (!(sampleRate >= 0 && sampleRate <= 1)) {
        throw new IllegalArgumentException("sample_rate must be between 0 and 1, got " + sampleRate);
      }
    }
  }

  public ReviewPolicy {
    rules = Map.copyOf(rules);
    for (ReviewReason reason : ReviewReason.values()) {
      if (reason != ReviewReason.REVIEWED && !rules.containsKey(reason)) {
        throw new IllegalArgumentException("no rule for reason " + reason.key());
      }
    }
    judges = Set.copyOf(judges);
    highRiskFeatures = Set.copyOf(highRiskFeatures);
    canaryEnvironments = Set.copyOf(canaryEnvironments);
    labels = Set.copyOf(labels);
    Objects.requireNonNull(newVersionFor, "newVersionFor");
    Objects.requireNonNull(reviewerPattern, "reviewerPattern");
    if (maxToolCalls < 0) {
      throw new IllegalArgumentException("maxToolCalls must not be negative, got " + maxToolCalls);
    }
  }

  public Rule rule(ReviewReason reason) {
    return rules.get(reason);
  }

  /** Whether the reason queues anything at all. */
  public boolean enabled(ReviewReason reason) {
    Rule rule = rules.get(reason);
    return rule != null && rule.enabled() && rule.sampleRate() > 0;
  }

  /** An evaluator whose low score means low judge confidence: never a reviewer's own verdict. */
  public boolean isJudge(String evaluator) {
    return !HUMAN_REVIEW.equals(evaluator) && (judges.isEmpty() || judges.contains(evaluator));
  }

  /** The same policy with one reason's rule replaced (tests, overrides). */
  public ReviewPolicy with(ReviewReason reason, Rule rule) {
    Map<ReviewReason, Rule> changed = new EnumMap<>(rules);
    changed.put(reason, rule);
    return new ReviewPolicy(changed, scoreBelow, judges, highRiskFeatures, newVersionFor, canaryEnvironments, maxToolCalls, labels,
        reviewerPattern);
  }

  public static ReviewPolicy bundled() {
    try (InputStream in = ReviewPolicy.class.getResourceAsStream(BUNDLED)) {
      if (in == null) {
        throw new IllegalStateException("the bundled review queue file " + BUNDLED + " is missing from the jar");
      }
      return parse(in, "bundled " + BUNDLED);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ReviewPolicy load(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return parse(in, file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException("review queue file " + file + " cannot be read: " + e.getMessage(), e);
    }
  }

  /** The policy of a queue file; {@code source} names it in errors. */
  public static ReviewPolicy parse(InputStream yaml, String source) {
    QueueFile file;
    byte[] bytes = null;
    try {
      bytes = yaml.readAllBytes();
      // Jackson reads an empty document as "no content": say what the file needs instead
      file = new String(bytes, StandardCharsets.UTF_8).isBlank() ? null : YAML.readValue(bytes, QueueFile.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("review queue file " + source + ": " + describe(e, bytes), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("review queue file " + source + " cannot be read: " + e.getMessage(), e);
    }
    if (file == null) {
      throw new IllegalArgumentException("review queue file " + source + " is empty: 'reasons' is required");
    }
    return file.toPolicy();
  }

  /**
   * Jackson's message, at the field it names: records are built once their entry has been read, so an unknown
   * or invalid field of an entry is reported where the entry ends; the field's own line is more use.
   */
  private static String describe(JsonProcessingException e, byte[] yaml) {
    String message = JsonErrors.describe(e);
    if (!(e instanceof JsonMappingException mapping) || mapping.getPath().isEmpty() || yaml == null) {
      return message;
    }
    StringBuilder pointer = new StringBuilder();
    for (JsonMappingException.Reference ref : mapping.getPath()) {
      pointer.append('/').append(ref.getFieldName() != null ? ref.getFieldName() : Integer.toString(ref.getIndex()));
    }
    try (JsonParser parser = YAML.getFactory().createParser(yaml)) {
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        if (token == JsonToken.FIELD_NAME && parser.getParsingContext().pathAsPointer().toString().contentEquals(pointer)) {
          JsonLocation at = parser.currentTokenLocation();
          return LOCATION.matcher(message).replaceFirst("") + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // the document did not parse up to the field: Jackson's location stands
    }
    return message;
  }

  private static final Pattern LOCATION = Pattern.compile(" \\(line \\d+, column \\d+\\)$");

  // ---- the file as written: the records check what a person can get wrong, Jackson reports where ----

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);

  private static final Pattern LABEL = Pattern.compile("[a-z][a-z0-9_]*");

  private record QueueFile(Reasons reasons, List<String> labels, String reviewerPattern) {
    QueueFile {
      if (reasons == null) {
        throw new IllegalArgumentException("'reasons' is required");
      }
      if (labels != null && (labels.isEmpty() || labels.stream().anyMatch(l -> l == null || !LABEL.matcher(l).matches()))) {
        throw new IllegalArgumentException("'labels' must be a non-empty list of lower_snake_case labels, got " + labels);
      }
    }

    ReviewPolicy toPolicy() {
      Pattern reviewer;
      try {
        reviewer = Pattern.compile(reviewerPattern == null ? DEFAULT_REVIEWER_PATTERN : reviewerPattern);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("review queue file: 'reviewer_pattern' is not a regular expression: " + e.getDescription());
      }
      Map<ReviewReason, Rule> rules = new EnumMap<>(ReviewReason.class);
      rules.put(ReviewReason.FAILED_EVALUATION, reasons.failedEvaluation().rule());
      rules.put(ReviewReason.NEGATIVE_FEEDBACK, reasons.negativeFeedback().rule());
      rules.put(ReviewReason.LOW_JUDGE_CONFIDENCE, rule(reasons.lowJudgeConfidence().enabled(), reasons.lowJudgeConfidence().sampleRate(),
          reasons.lowJudgeConfidence().priority()));
      rules.put(ReviewReason.HIGH_RISK_FEATURE, rule(reasons.highRiskFeature().enabled(), reasons.highRiskFeature().sampleRate(),
          reasons.highRiskFeature().priority()));
      rules.put(ReviewReason.SAMPLED_PROMPT_VERSION, rule(reasons.sampledPromptVersion().enabled(),
          reasons.sampledPromptVersion().sampleRate(), reasons.sampledPromptVersion().priority()));
      rules.put(ReviewReason.TOOL_CALL_LIMIT, rule(reasons.toolCallLimit().enabled(), reasons.toolCallLimit().sampleRate(),
          reasons.toolCallLimit().priority()));
      // the priority of an alert example follows its alert's severity (ReviewItems.priority); NORMAL is only a placeholder
      rules.put(ReviewReason.ALERT_EXAMPLE, rule(reasons.alertExample().enabled(), reasons.alertExample().sampleRate(),
          new Priority(ReviewPriority.NORMAL)));
      LowConfidence low = reasons.lowJudgeConfidence();
      NewVersion fresh = reasons.sampledPromptVersion();
      ToolCalls tools = reasons.toolCallLimit();
      return new ReviewPolicy(rules, low.scoreBelow() == null ? 0 : low.scoreBelow().value(), set(low.evaluators()),
          set(reasons.highRiskFeature().features()), fresh.newFor() == null ? Duration.ofHours(24) : fresh.newFor().value(),
          fresh.environments() == null ? Set.of("canary") : set(fresh.environments()),
          tools.maxToolCalls() == null ? 0 : tools.maxToolCalls().value(), labels == null ? Set.copyOf(DEFAULT_LABELS) : set(labels),
          reviewer);
    }
  }

  private record Reasons(Plain failedEvaluation, Plain negativeFeedback, LowConfidence lowJudgeConfidence, HighRisk highRiskFeature,
      NewVersion sampledPromptVersion, ToolCalls toolCallLimit, AlertExample alertExample) {
    Reasons {
      required("failed_evaluation", failedEvaluation);
      required("negative_feedback", negativeFeedback);
      required("low_judge_confidence", lowJudgeConfidence);
      required("high_risk_feature", highRiskFeature);
      required("sampled_prompt_version", sampledPromptVersion);
      required("tool_call_limit", toolCallLimit);
      required("alert_example", alertExample);
    }

    private static void required(String reason, Object entry) {
      if (entry == null) {
        throw new IllegalArgumentException("reason '" + reason + "' is missing: list every reason (enabled: false turns one off)");
      }
    }
  }

  private record Plain(Boolean enabled, Rate sampleRate, Priority priority) {
    Plain {
      needsPriority(enabled, priority);
    }

    Rule rule() {
      return ReviewPolicy.rule(enabled, sampleRate, priority);
    }
  }

  private record LowConfidence(Boolean enabled, Rate sampleRate, Priority priority, Score scoreBelow, List<String> evaluators) {
    LowConfidence {
      needsPriority(enabled, priority);
      if (on(enabled) && scoreBelow == null) {
        throw new IllegalArgumentException("'score_below' is required: a judge's lowest score below it is low confidence");
      }
      noBlanks("evaluators", evaluators);
      if (evaluators != null && evaluators.contains(HUMAN_REVIEW)) {
        throw new IllegalArgumentException("'evaluators' cannot name human_review: a reviewer's verdict is not a judge's confidence");
      }
    }
  }

  private record HighRisk(Boolean enabled, Rate sampleRate, Priority priority, List<String> features) {
    HighRisk {
      needsPriority(enabled, priority);
      if (on(enabled) && (features == null || features.isEmpty())) {
        throw new IllegalArgumentException("'features' must list the high-risk features (feature_name values)");
      }
      noBlanks("features", features);
    }
  }

  private record NewVersion(Boolean enabled, Rate sampleRate, Priority priority, Window newFor, List<String> environments) {
    NewVersion {
      needsPriority(enabled, priority);
      noBlanks("environments", environments);
    }
  }

  private record ToolCalls(Boolean enabled, Rate sampleRate, Priority priority, Count maxToolCalls) {
    ToolCalls {
      needsPriority(enabled, priority);
      if (on(enabled) && maxToolCalls == null) {
        throw new IllegalArgumentException("'max_tool_calls' is required: a trace with more tool calls qualifies");
      }
    }
  }

  private record AlertExample(Boolean enabled, Rate sampleRate, String priority) {
    AlertExample {
      if (priority != null) {
        throw new IllegalArgumentException("alert_example has no 'priority': it follows the alert's severity (page → urgent, "
            + "notify → high, review → normal)");
      }
    }
  }

  private record Rate(double value) {
    @JsonCreator
    static Rate of(double value) {
      if (!(value >= 0 && value <= 1)) {
        throw new IllegalArgumentException("sample_rate must be between 0 and 1 (0.1 queues one qualifying trace in ten), got " + value);
      }
      return new Rate(value);
    }
  }

  private record Priority(ReviewPriority value) {
    @JsonCreator
    static Priority of(String text) {
      try {
        return new Priority(ReviewPriority.valueOf(text.strip().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("priority must be low, normal, high or urgent, got '" + text + "'");
      }
    }
  }

  private record Score(double value) {
    @JsonCreator
    static Score of(double value) {
      if (!Double.isFinite(value)) {
        throw new IllegalArgumentException("score_below must be a finite number, got " + value);
      }
      return new Score(value);
    }
  }

  private record Count(int value) {
    @JsonCreator
    static Count of(int value) {
      if (value < 0) {
        throw new IllegalArgumentException("max_tool_calls must not be negative, got " + value);
      }
      return new Count(value);
    }
  }

  private record Window(Duration value) {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(m|h|d)");

    @JsonCreator
    static Window of(String text) {
      String t = text.strip().toLowerCase(Locale.ROOT);
      if (t.equals("0")) {
        return new Window(Duration.ZERO);
      }
      Matcher m = DURATION.matcher(t);
      if (!m.matches()) {
        throw new IllegalArgumentException("new_for must be a duration such as 90m, 24h or 3d (0: no version counts as new), got '"
            + text + "'");
      }
      long n = Long.parseLong(m.group(1));
      return new Window(switch (m.group(2)) {
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      });
    }
  }

  private static boolean on(Boolean enabled) {
    return enabled == null || enabled;
  }

  private static void needsPriority(Boolean enabled, Priority priority) {
    if (on(enabled) && priority == null) {
      throw new IllegalArgumentException("'priority' (low, normal, high or urgent) is required");
    }
  }

  private static void noBlanks(String field, List<String> values) {
    if (values != null && values.stream().anyMatch(v -> v == null || v.isBlank())) {
      throw new IllegalArgumentException("'" + field + "' must not hold empty values");
    }
  }

  private static Rule rule(Boolean enabled, Rate rate, Priority priority) {
    return new Rule(on(enabled), rate == null ? 1.0 : rate.value(), priority == null ? ReviewPriority.NORMAL : priority.value());
  }

  private static Set<String> set(List<String> values) {
    return values == null ? Set.of() : new LinkedHashSet<>(values.stream().map(String::strip).toList());
  }
}
