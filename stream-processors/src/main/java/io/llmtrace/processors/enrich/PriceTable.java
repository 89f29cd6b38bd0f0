package io.llmtrace.processors.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A versioned model price table (YAML, see {@code deploy/config/model-prices.yaml}): per provider and
 * model-name glob, USD (or the table's currency) per million input, output, cache-read and cache-write
 * tokens, each entry valid in an optional [effective_from, effective_to] window. First match wins.
 * A malformed table is refused with the entry and field that are wrong.
 */
public final class PriceTable {

  /** Prices per million tokens; cache prices fall back to the input price when not listed. */
  public record Price(String provider, String modelGlob, double input, double output, double cacheRead, double cacheWrite,
      Instant effectiveFrom, Instant effectiveTo, Pattern matcher) {

    boolean matches(String provider, String model, Instant at) {
      return this.provider.equals(provider) && matcher.matcher(model).matches()
          && (effectiveFrom == null || !at.isBefore(effectiveFrom))
          && (effectiveTo == null || !at.isAfter(effectiveTo));
    }
  }

  private final String version;
  private final String currency;
  private final List<Price> prices;

  PriceTable(String version, String currency, List<Price> prices) {
    this.version = version;
    this.currency = currency;
    this.prices = List.copyOf(prices);
  }

  public static PriceTable load(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return parse(in, file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException("price table " + file + " cannot be read: " + e.getMessage(), e);
    }
  }

  public static PriceTable parse(InputStream yaml, String source) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    } catch (IOException e) {
      throw new IllegalArgumentException("price table " + source + " is not valid YAML: " + e.getMessage(), e);
    }
    if (root == null || !root.path("version").isTextual() || root.path("version").asText().isBlank()) {
      throw new IllegalArgumentException("price table " + source + ": 'version' is required (it is stamped on every computed cost)");
    }
    JsonNode models = root.path("models");
    if (!models.isArray() || models.isEmpty()) {
      throw new IllegalArgumentException("price table " + source + ": 'models' must be a non-empty list");
    }
    List<Price> prices = new ArrayList<>();
    for (int i = 0; i < models.size(); i++) {
      prices.add(entry(models.get(i), source + ": models[" + i + "]"));
    }
    return new PriceTable(root.get("version").asText(), root.path("currency").asText("USD"), prices);
  }

  private static Price entry(JsonNode node, String where) {
    String provider = required(node, "provider", where);
    String glob = required(node, "model", where);
    double input = number(node, "input", where, null);
    double output = number(node, "output", where, null);
    Instant from = instant(node, "effective_from", where);
    Instant to = instant(node, "effective_to", where);
    if (from != null && to != null && to.isBefore(from)) {
      throw new IllegalArgumentException(where + ": effective_to is before effective_from");
    }
    return new Price(ModelNames.provider(provider), glob.toLowerCase(java.util.Locale.ROOT), input, output,
        number(node, "cache_read", where, input), number(node, "cache_write", where, input), from, to, globPattern(glob));
  }

  /** {@code gpt-4o*} → any name starting with gpt-4o; everything but {@code *} is literal. */
  static Pattern globPattern(String glob) {
    String[] parts = glob.toLowerCase(java.util.Locale.ROOT).split("\\*", -1);
    StringBuilder regex = new StringBuilder(Pattern.quote(parts[0]));
    for (int i = 1; i < parts.length; i++) {
      regex.append(".*").append(Pattern.quote(parts[i]));
    }
    return Pattern.compile(regex.toString());
  }

  private static String required(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw new IllegalArgumentException(where + ": '" + field + "' is required");
    }
    return value.asText().strip();
  }

  private static double number(JsonNode node, String field, String where, Double fallback) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      if (fallback == null) {
        throw new IllegalArgumentException(where + ": '" + field + "' (price per million tokens) is required");
      }
      return fallback;
    }
    if (!value.isNumber() || value.asDouble() < 0 || !Double.isFinite(value.asDouble())) {
      throw new IllegalArgumentException(where + ": '" + field + "' must be a number >= 0, got " + value);
    }
    return value.asDouble();
  }

  private static Instant instant(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    try {
      return Instant.parse(value.asText());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(where + ": '" + field + "' must be an ISO-8601 instant such as 2026-01-01T00:00:00Z, got '"
          + value.asText() + "'");
    }
  }

  /** The first price that applies to a (normalized) provider and model at {@code at}. */
  public Optional<Price> find(String provider, String model, Instant at) {
    if (provider == null || model == null) {
      return Optional.empty();
    }
    String p = ModelNames.provider(provider);
    String m = ModelNames.model(model);
    for (Price price : prices) {
      if (price.matches(p, m, at)) {
        return Optional.of(price);
      }
    }
    return Optional.empty();
  }

  public String version() {
    return version;
  }

  public String currency() {
    return currency;
  }
}
