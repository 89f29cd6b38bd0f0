package io.llmtrace.processors.alert;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.llmtrace.processors.alert.AlertRule.Baseline;
import io.llmtrace.processors.alert.AlertRule.Comparator;
import io.llmtrace.processors.alert.AlertRule.CountWindow;
import io.llmtrace.processors.alert.AlertRule.NoData;
import io.llmtrace.processors.alert.AlertRule.TimeWindow;
import io.llmtrace.processors.alert.AlertRule.Window;
import io.llmtrace.processors.enrich.JsonErrors;
import io.llmtrace.schemas.avro.AlertSeverity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The alert rules file ({@code deploy/config/alert-rules.yaml}), bound to records by Jackson (unknown
 * fields refused, with line and column) and then checked rule by rule: an unknown metric, a bad
 * duration, a missing owner, runbook or action, a threshold that cannot be met refuse the start, naming
 * the rule and the field.
 */
public final class AlertRules {

  /** The dimensions a scope or group-by may name, with the short names rules may use for them. */
  static final Map<String, String> DIMENSIONS = Map.ofEntries(
      Map.entry("tenant", "tenant_id"), Map.entry("tenant_id", "tenant_id"),
      Map.entry("environment", "environment"), Map.entry("service", "service_name"), Map.entry("service_name", "service_name"),
      Map.entry("feature", "feature_name"), Map.entry("feature_name", "feature_name"), Map.entry("kind", "kind"),
      Map.entry("span_name", "span_name"), Map.entry("prompt", "prompt_name"), Map.entry("prompt_name", "prompt_name"),
      Map.entry("prompt_version", "prompt_version"), Map.entry("model_provider", "model_provider"), Map.entry("model", "model_name"),
      Map.entry("model_name", "model_name"), Map.entry("app_version", "app_version"), Map.entry("release", "app_version"),
      Map.entry("prompt_versions", "prompt_versions"));

  private static final Pattern ATTRIBUTE = Pattern.compile("[a-z_][a-z0-9_.]*");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(s|m|h|d)");
  private static final Pattern COUNT = Pattern.compile("(\\d+)\\s*([a-z ]+)?");
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

  /** The file as written. */
  record RulesFile(List<RuleEntry> rules) {}

  /** Filters on the windows' dimensions; every value may be one string or a list. */
  record ScopeEntry(@JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> environment,
      @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> service,
      @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> feature,
      @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> kind,
      @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> spanName,
      @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> prompt,
      @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> promptVersion,
      @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> model,
      @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> modelProvider,
      @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> release,
      @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> tenant,
      Map<String, List<String>> attributes) {}

  record RuleEntry(String name, String description, String metric, String evaluator, ScopeEntry scope, String comparator,
      Double threshold, String window, String over, @JsonProperty("for") String forDuration, Long minVolume,
      List<String> groupBy, String severity, String owner, String runbook, String action, String keepFiringFor,
      String renotifyEvery, String whenDataStops, String noDataAfter, String baseline, String versions, String lookback) {}

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);

  private AlertRules() {}

  public static List<AlertRule> load(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return parse(in, file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException("alert rules " + file + " cannot be read: " + e.getMessage(), e);
    }
  }

  /** The rules of a file; {@code source} names it in errors. */
  public static List<AlertRule> parse(InputStream yaml, String source) {
    RulesFile file;
    try {
      file = YAML.readValue(yaml, RulesFile.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("alert rules " + source + ": " + JsonErrors.describe(e), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("alert rules " + source + " cannot be read: " + e.getMessage(), e);
    }
    if (file == null || file.rules() == null || file.rules().isEmpty()) {
      throw new IllegalArgumentException("alert rules " + source + ": 'rules' must be a non-empty list");
    }
    List<AlertRule> rules = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < file.rules().size(); i++) {
      RuleEntry entry = file.rules().get(i);
      String label = entry.name() == null ? "rules[" + i + "]" : "'" + entry.name() + "'";
      try {
        AlertRule rule = validate(entry);
        if (!names.add(rule.name())) {
          throw new Invalid("name", "another rule has the same name");
        }
        rules.add(rule);
      } catch (Invalid e) {
        throw new IllegalArgumentException("alert rules " + source + ": rule " + label + ", field '" + e.field + "': " + e.getMessage());
      }
    }
    return List.copyOf(rules);
  }

  private static AlertRule validate(RuleEntry e) {
    String name = required("name", e.name());
    if (!NAME.matcher(name).matches()) {
      throw new Invalid("name", "must be lower_snake_case (it is the alertname and part of every episode id), got '" + name + "'");
    }
    AlertMetric metric = AlertMetric.byKey(required("metric", e.metric()))
        .orElseThrow(() -> new Invalid("metric", "unknown metric '" + e.metric() + "' (known: " + AlertMetric.keys() + ")"));
    if (e.evaluator() != null && !metric.readsEvaluations()) {
      throw new Invalid("evaluator", "only eval_pass_rate, eval_failure_rate and eval_score_mean read evaluations");
    }
    AlertSeverity severity = switch (required("severity", e.severity()).toLowerCase(Locale.ROOT)) {
      case "page" -> AlertSeverity.PAGE;
      case "notify" -> AlertSeverity.NOTIFY;
      case "review" -> AlertSeverity.REVIEW;
      default -> throw new Invalid("severity", "must be page, notify or review, got '" + e.severity() + "'");
    };
    String owner = required("owner", e.owner());
    String runbook = required("runbook", e.runbook());
    String action = required("action", e.action());
    Map<String, Set<String>> scope = scope(e.scope());
    List<String> groupBy = groupBy(e.groupBy());
    Baseline baseline = e.baseline() == null ? null : Arrays.stream(Baseline.values()).filter(b -> b.key().equals(e.baseline())).findFirst()
        .orElseThrow(() -> new Invalid("baseline", "must be one of day_before, prior_7d_mean, previous_24h, before_release, got '"
            + e.baseline() + "'"));
    String versions = e.versions() == null ? null : dimension("versions", e.versions());
    Duration keepFiring = duration("keep_firing_for", e.keepFiringFor(), Duration.ZERO);
    Duration renotify = e.renotifyEvery() == null ? null : positive("renotify_every", e.renotifyEvery());
    NoData noData = switch (e.whenDataStops() == null ? "resolve" : e.whenDataStops().toLowerCase(Locale.ROOT)) {
      case "resolve" -> NoData.RESOLVE;
      case "keep" -> NoData.KEEP;
      default -> throw new Invalid("when_data_stops", "must be resolve or keep, got '" + e.whenDataStops() + "'");
    };
    long minVolume = e.minVolume() == null ? 0 : e.minVolume();
    if (minVolume < 0) {
      throw new Invalid("min_volume", "must not be negative");
    }
    if (metric.level() == AlertMetric.Level.EVENTS) {
      for (String[] field : new String[][] {{"window", e.window()}, {"over", e.over()}, {"for", e.forDuration()},
          {"baseline", e.baseline()}, {"versions", e.versions()}, {"comparator", e.comparator()}}) {
        if (field[1] != null) {
          throw new Invalid(field[0], "an immediate rule (metric " + metric.key() + ") fires on every matching event: it has no " + field[0]);
        }
      }
      if (e.threshold() != null) {
        throw new Invalid("threshold", "an immediate rule fires on every matching event: it has no threshold");
      }
      Duration quiet = duration("keep_firing_for", e.keepFiringFor(), Duration.ofMinutes(30));
      return new AlertRule(name, e.description(), metric, null, scope, Comparator.AT_LEAST, 1, null, Duration.ZERO, 0, groupBy, severity,
          owner, runbook, action, quiet.isZero() ? Duration.ofMinutes(30) : quiet, renotify, NoData.RESOLVE, quiet, null, null, Duration.ZERO);
    }
    Comparator comparator = comparator(required("comparator", e.comparator()));
    if (e.threshold() == null || !Double.isFinite(e.threshold())) {
      throw new Invalid("threshold", "is required (a number; for baseline and version rules the ratio to the baseline, e.g. 1.3 for +30%)");
    }
    double threshold = e.threshold();
    if (metric.kind() == AlertMetric.Kind.RATE && baseline == null && versions == null && (threshold < 0 || threshold > 1)) {
      throw new Invalid("threshold", metric.key() + " is a rate between 0 and 1 (write 0.05 for 5%), got " + threshold);
    }
    if ((baseline != null || versions != null) && threshold <= 0) {
      throw new Invalid("threshold", "is a ratio to the baseline and must be positive, got " + threshold);
    }
    if (baseline != null && baseline != Baseline.BEFORE_RELEASE && versions != null) {
      throw new Invalid("versions", "a rule compares with a baseline or with the previous version, not both (with before_release,"
          + " 'versions' names the dimension whose new value is the release)");
    }
    if (versions != null && groupBy.contains(versions)) {
      throw new Invalid("group_by", versions + " is the rule's version dimension: the rule compares its values, it cannot group by it");
    }
    if (e.window() != null && e.over() != null) {
      throw new Invalid("over", "a rule has a time window ('window') or a count window ('over'), not both");
    }
    Window window;
    Duration lookback = duration("lookback", e.lookback(), Duration.ofHours(1));
    if (e.over() != null) {
      Matcher m = COUNT.matcher(e.over().strip().toLowerCase(Locale.ROOT));
      if (!m.matches() || Long.parseLong(m.group(1)) <= 0) {
        throw new Invalid("over", "must be a count such as '500 calls', got '" + e.over() + "'");
      }
      if (baseline != null) {
        throw new Invalid("over", "baseline rules compare time windows: use 'window'");
      }
      window = new CountWindow(Long.parseLong(m.group(1)), e.over().strip());
    } else if (versions != null && baseline == null) {
      window = null;
    } else {
      Duration duration = positive("window", required("window", e.window()));
      window = new TimeWindow(duration, e.window().strip());
      boolean hours = duration.compareTo(Duration.ofHours(1)) >= 0;
      if (duration.toSeconds() % 60 != 0 || duration.compareTo(Duration.ofHours(1)) > 0 && duration.toSeconds() % 3600 != 0) {
        throw new Invalid("window", "must be whole minutes up to an hour and whole hours beyond (windows are minutes, rolled up to"
            + " hours), got '" + e.window() + "'");
      }
      if (baseline != null && baseline != Baseline.BEFORE_RELEASE && !hours) {
        throw new Invalid("window", "a " + baseline.key() + " baseline compares whole hours: the window must be 1h or more, got '"
            + e.window() + "'");
      }
      if (baseline == Baseline.BEFORE_RELEASE && duration.compareTo(Duration.ofHours(24)) > 0) {
        throw new Invalid("window", "a before_release window is at most 24h, got '" + e.window() + "'");
      }
    }
    if (versions != null && minVolume == 0) {
      throw new Invalid("min_volume", "a version rule needs the requests the new version must have before it is compared");
    }
    if (baseline == Baseline.BEFORE_RELEASE && versions == null) {
      versions = metric.level() == AlertMetric.Level.TRACES ? "app_version" : "prompt_version";
    }
    Duration forDuration = duration("for", e.forDuration(), Duration.ZERO);
    Duration noDataAfter = duration("no_data_after", e.noDataAfter(),
        window instanceof TimeWindow t ? max(t.duration(), Duration.ofMinutes(10)) : Duration.ofMinutes(30));
    return new AlertRule(name, e.description(), metric, e.evaluator(), scope, comparator, threshold, window, forDuration, minVolume,
        groupBy, severity, owner, runbook, action, keepFiring, renotify, noData, noDataAfter, baseline, versions, lookback);
  }

  private static Map<String, Set<String>> scope(ScopeEntry scope) {
    Map<String, Set<String>> filters = new TreeMap<>();
    if (scope == null) {
      return filters;
    }
    put(filters, "environment", scope.environment());
    put(filters, "service_name", scope.service());
    put(filters, "feature_name", scope.feature());
    put(filters, "kind", scope.kind() == null ? null : scope.kind().stream().map(k -> k.toUpperCase(Locale.ROOT)).toList());
    put(filters, "span_name", scope.spanName());
    put(filters, "prompt_name", scope.prompt());
    put(filters, "prompt_version", scope.promptVersion());
    put(filters, "model_name", scope.model());
    put(filters, "model_provider", scope.modelProvider());
    put(filters, "app_version", scope.release());
    put(filters, "tenant_id", scope.tenant());
    if (scope.attributes() != null) {
      scope.attributes().forEach((key, values) -> {
        if (!ATTRIBUTE.matcher(key).matches()) {
          throw new Invalid("scope.attributes", "'" + key + "' is not an attribute key");
        }
        put(filters, key, values);
      });
    }
    return filters;
  }

  private static void put(Map<String, Set<String>> filters, String dimension, List<String> values) {
    if (values == null) {
      return;
    }
    if (values.isEmpty() || values.stream().anyMatch(v -> v == null || v.isBlank())) {
      throw new Invalid("scope", dimension + " needs one or more non-empty values");
    }
    filters.put(dimension, new LinkedHashSet<>(values));
  }

  private static List<String> groupBy(List<String> keys) {
    Set<String> dims = new LinkedHashSet<>();
    dims.add("tenant_id");
    if (keys != null) {
      for (String key : keys) {
        dims.add(dimension("group_by", key));
      }
    }
    return List.copyOf(dims);
  }

  /** A dimension name (short names resolved) or a configured attribute key. */
  private static String dimension(String field, String key) {
    if (key == null || key.isBlank()) {
      throw new Invalid(field, "names an empty dimension");
    }
    String dimension = DIMENSIONS.get(key);
    if (dimension != null) {
      return dimension;
    }
    if (!ATTRIBUTE.matcher(key).matches()) {
      throw new Invalid(field, "'" + key + "' is neither a dimension (" + DIMENSIONS.keySet().stream().sorted().collect(Collectors.joining(", "))
          + ") nor an attribute key");
    }
    return key;
  }

  private static Comparator comparator(String text) {
    for (Comparator c : Comparator.values()) {
      if (c.symbol.equals(text.strip())) {
        return c;
      }
    }
    throw new Invalid("comparator", "must be one of >, >=, <, <=, got '" + text + "'");
  }

  private static String required(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new Invalid(field, "is required" + switch (field) {
        case "owner" -> " (who acts when it fires)";
        case "runbook" -> " (a link to what to do)";
        case "action" -> " (the first thing the receiver should do)";
        default -> "";
      });
    }
    return value.strip();
  }

  private static Duration positive(String field, String text) {
    Duration d = duration(field, text, Duration.ZERO);
    if (d.isZero()) {
      throw new Invalid(field, "must be longer than zero, got '" + text + "'");
    }
    return d;
  }

  /** Durations as rules write them: 30s, 15m, 6h, 7d. */
  static Duration duration(String field, String text, Duration absent) {
    if (text == null) {
      return absent;
    }
    Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new Invalid(field, "must be a duration such as 30s, 15m, 6h or 7d, got '" + text + "'");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** A rule's field is wrong; the loader adds the file and rule. */
  static final class Invalid extends RuntimeException {
    final String field;

    Invalid(String field, String message) {
      super(message, null, false, false);
      this.field = field;
    }
  }

  /** Rules by name, in file order. */
  static Map<String, AlertRule> byName(List<AlertRule> rules) {
    Map<String, AlertRule> named = new LinkedHashMap<>();
    rules.forEach(rule -> named.put(rule.name(), rule));
    return named;
  }
}
