package io.llmtrace.schemas.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Configuration of every llmtrace service, read with one precedence: defaults &lt; properties file
 * ({@code llmtrace.config.file}) &lt; environment &lt; system properties. A key {@code llmtrace.kafka.bootstrap}
 * is {@code LLMTRACE_KAFKA_BOOTSTRAP} in the environment (dots and dashes become underscores). Typed
 * getters fail with the key and the offending value, so a bad setting stops the service at start-up
 * with a message that says what to fix.
 */
public final class Settings {

  public static final String CONFIG_FILE_KEY = "llmtrace.config.file";

  private final Map<String, String> values;

  private Settings(Map<String, String> values) {
    this.values = Map.copyOf(values);
  }

  /** Reads the process's settings: the file named by {@value #CONFIG_FILE_KEY}, then env, then system properties. */
  public static Settings fromEnvironment() {
    return from(System.getenv(), System.getProperties());
  }

  /** For tests and embedding: explicit env and system properties. */
  public static Settings from(Map<String, String> env, Properties systemProperties) {
    Map<String, String> merged = new HashMap<>();
    String file = systemProperties.getProperty(CONFIG_FILE_KEY, env.get(envName(CONFIG_FILE_KEY)));
    if (file != null && !file.isBlank()) {
      merged.putAll(readFile(Path.of(file)));
    }
    env.forEach((name, value) -> {
      if (name.startsWith("LLMTRACE_")) {
        merged.put(name, value);
      }
    });
    systemProperties.stringPropertyNames().stream()
        .filter(key -> key.startsWith("llmtrace."))
        .forEach(key -> merged.put(envName(key), systemProperties.getProperty(key)));
    return new Settings(merged);
  }

  /** Settings from a plain map of dotted keys (tests, programmatic embedding). */
  public static Settings of(Map<String, String> dottedKeys) {
    Map<String, String> values = new HashMap<>();
    dottedKeys.forEach((key, value) -> values.put(envName(key), value));
    return new Settings(values);
  }

  private static Map<String, String> readFile(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new IllegalArgumentException(CONFIG_FILE_KEY + " = " + file + " cannot be read: " + e.getMessage(), e);
    }
    Map<String, String> values = new HashMap<>();
    properties.stringPropertyNames().forEach(key -> values.put(envName(key), properties.getProperty(key)));
    return values;
  }

  /** Keys are stored in their environment-variable form, so every source maps to one spelling. */
  static String envName(String key) {
    return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /**
   * A value by its environment-variable spelling ({@code LLMTRACE_REDACTION_HASH_KEY}), whichever source
   * set it; for files that name variables, so that {@code -D} and the config file work for them too.
   */
  public String env(String name) {
    return values.get(envName(name));
  }

  public String string(String key, String defaultValue) {
    String value = values.get(envName(key));
    return value == null || value.isBlank() ? defaultValue : value.strip();
  }

  /** A required setting: fails naming the key and its environment spelling when absent. */
  public String required(String key) {
    String value = string(key, null);
    if (value == null) {
      throw new IllegalArgumentException("missing setting " + key + " (environment " + envName(key) + ")");
    }
    return value;
  }

  public int integer(String key, int defaultValue, int min, int max) {
    String raw = string(key, null);
    if (raw == null) {
      return defaultValue;
    }
    try {
      int value = Integer.parseInt(raw);
      if (value < min || value > max) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw invalid(key, raw, "an integer between " + min + " and " + max);
    }
  }

  public long bytes(String key, long defaultValue) {
    String raw = string(key, null);
    if (raw == null) {
      return defaultValue;
    }
    String text = raw.toUpperCase(Locale.ROOT).replace(" ", "");
    long unit = 1;
    if (text.endsWith("KB") || text.endsWith("K")) {
      unit = 1024;
    } else if (text.endsWith("MB") || text.endsWith("M")) {
      unit = 1024 * 1024;
    } else if (text.endsWith("GB") || text.endsWith("G")) {
      unit = 1024L * 1024 * 1024;
    }
    String digits = text.replaceAll("[KMGB]+$", "");
    try {
      long value = Long.parseLong(digits) * unit;
      if (value <= 0) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw invalid(key, raw, "a positive size such as 8388608, 512KB or 8MB");
    }
  }

  /** Durations as milliseconds ({@code 5000}) or with a unit ({@code 5s}, {@code 250ms}, {@code 2m}). */
  public Duration duration(String key, Duration defaultValue) {
    String raw = string(key, null);
    if (raw == null) {
      return defaultValue;
    }
    String text = raw.toLowerCase(Locale.ROOT);
    try {
      Duration value;
      if (text.endsWith("ms")) {
        value = Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
      } else if (text.endsWith("s")) {
        value = Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
      } else if (text.endsWith("m")) {
        value = Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
      } else if (text.endsWith("h")) {
        value = Duration.ofHours(Long.parseLong(text.substring(0, text.length() - 1)));
      } else if (text.endsWith("d")) {
        value = Duration.ofDays(Long.parseLong(text.substring(0, text.length() - 1)));
      } else {
        value = Duration.ofMillis(Long.parseLong(text));
      }
      if (value.isNegative()) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw invalid(key, raw, "a duration such as 5000, 250ms, 5s, 2m, 6h or 30d");
    }
  }

  public boolean bool(String key, boolean defaultValue) {
    String raw = string(key, null);
    if (raw == null) {
      return defaultValue;
    }
    return switch (raw.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1", "on" -> true;
      case "false", "no", "0", "off" -> false;
      default -> throw invalid(key, raw, "true or false");
    };
  }

  /**
   * Pass-through overrides: every key under {@code prefix} with the prefix removed, e.g.
   * {@code llmtrace.kafka.producer.linger.ms=5} gives {@code linger.ms=5} for
   * {@code prefix = "llmtrace.kafka.producer."}. Environment spellings work too
   * ({@code LLMTRACE_KAFKA_PRODUCER_LINGER_MS} gives {@code linger.ms}).
   */
  public Map<String, String> withPrefix(String prefix) {
    String envPrefix = envName(prefix);
    Map<String, String> out = new TreeMap<>();
    values.forEach((name, value) -> {
      if (name.startsWith(envPrefix) && name.length() > envPrefix.length()) {
        out.put(name.substring(envPrefix.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
      }
    });
    return out;
  }

  private static IllegalArgumentException invalid(String key, String value, String expected) {
    return new IllegalArgumentException("invalid setting " + key + " = '" + value + "': expected " + expected);
  }
}
