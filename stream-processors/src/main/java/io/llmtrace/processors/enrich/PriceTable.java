package io.llmtrace.processors.enrich;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The contract-price override table (YAML, see {@code deploy/config/model-prices.yaml}): per provider and
 * model-name glob, the table's currency per million input, output, cache-read and cache-write tokens, each
 * entry valid in an optional [effective_from, effective_to] window. First match wins. It is consulted before
 * the bundled {@link GenAiPrices} (see {@link PriceTables}). A malformed table is refused at start-up with the
 * entry, field, line and column that are wrong; unknown fields are refused too, since a misspelt
 * {@code cache_reed} would otherwise silently bill cache reads at the input price.
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

    /** The uncached input at the input price, cache reads and writes at theirs, all output at the output price. */
    public double cost(TokenCounts usage) {
      double perMillion = usage.uncachedInput() * input + usage.cacheRead() * cacheRead + usage.cacheWrite() * cacheWrite
          + usage.output() * output;
      return perMillion / 1_000_000d;
    }
  }

  /** The file as written; the records check what a person can get wrong, Jackson reports where. */
  private record TableFile(String version, String currency, List<Entry> models) {
    TableFile {
      if (version == null || version.isBlank()) {
        throw new IllegalArgumentException("'version' is required (it is stamped on every computed cost)");
      }
      if (models == null || models.isEmpty()) {
        throw new IllegalArgumentException("'models' must be a non-empty list");
      }
      currency = currency == null || currency.isBlank() ? "USD" : currency.strip();
    }
  }

  /**
   * Entry-level checks (a missing field) can only point at the entry, which Jackson reports where it ends;
   * a wrong value is checked by its own type below, so the error points at the value.
   */
  private record Entry(String provider, String model, PerMillion input, PerMillion output, @JsonProperty("cache_read") PerMillion cacheRead,
      @JsonProperty("cache_write") PerMillion cacheWrite, @JsonProperty("effective_from") At effectiveFrom,
      @JsonProperty("effective_to") At effectiveTo) {
    Entry {
      required("provider", provider);
      required("model", model);
      if (input == null || output == null) {
        throw new IllegalArgumentException("'" + (input == null ? "input" : "output") + "' (price per million tokens) is required");
      }
      if (effectiveFrom != null && effectiveTo != null && effectiveTo.instant().isBefore(effectiveFrom.instant())) {
        throw new IllegalArgumentException("effective_to is before effective_from");
      }
    }

    Price toPrice() {
      return new Price(ModelNames.provider(provider.strip()), model.strip().toLowerCase(Locale.ROOT), input.value(), output.value(),
          (cacheRead == null ? input : cacheRead).value(), (cacheWrite == null ? input : cacheWrite).value(),
          effectiveFrom == null ? null : effectiveFrom.instant(), effectiveTo == null ? null : effectiveTo.instant(), globPattern(model.strip()));
    }

    private static void required(String field, String value) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException("'" + field + "' is required");
      }
    }
  }

  private record PerMillion(double value) {
    @JsonCreator
    static PerMillion of(double value) {
      if (!Double.isFinite(value) || value < 0) {
        throw new IllegalArgumentException("must be a number >= 0 (price per million tokens), got " + value);
      }
      return new PerMillion(value);
    }
  }

  private record At(Instant instant) {
    @JsonCreator
    static At of(String text) {
      try {
        return new At(Instant.parse(text.strip()));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("must be an ISO-8601 instant such as 2026-01-01T00:00:00Z, got '" + text + "'");
      }
    }
  }

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final String name;
  private final String version;
  private final String currency;
  private final List<Price> prices;

  PriceTable(String name, String version, String currency, List<Price> prices) {
    this.name = name;
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

  /** {@code source} names the table in errors, and its file name in {@link #label()}. */
  public static PriceTable parse(InputStream yaml, String source) {
    TableFile file;
    try {
      file = YAML.readValue(yaml, TableFile.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("price table " + source + ": " + JsonErrors.describe(e), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("price table " + source + " cannot be read: " + e.getMessage(), e);
    }
    if (file == null) {
      throw new IllegalArgumentException("price table " + source + " is empty: 'version' is required (it is stamped on every computed cost)");
    }
    Path fileName = Path.of(source).getFileName();
    return new PriceTable(fileName == null ? source : fileName.toString(), file.version(), file.currency(),
        file.models().stream().map(Entry::toPrice).toList());
  }

  /** {@code gpt-4o*} → any name starting with gpt-4o; everything but {@code *} is literal. */
  static Pattern globPattern(String glob) {
    String[] parts = glob.toLowerCase(Locale.ROOT).split("\\*", -1);
    StringBuilder regex = new StringBuilder(Pattern.quote(parts[0]));
    for (int i = 1; i < parts.length; i++) {
      regex.append(".*").append(Pattern.quote(parts[i]));
    }
    return Pattern.compile(regex.toString());
  }

  /** The first price that applies to a provider and model at {@code at}; both are normalized first. */
  public Optional<Price> find(String provider, String model, Instant at) {
    if (provider == null || model == null) {
      return Optional.empty();
    }
    String p = ModelNames.provider(provider);
    String m = ModelNames.model(p, model);
    for (Price price : prices) {
      if (price.matches(p, m, at)) {
        return Optional.of(price);
      }
    }
    return Optional.empty();
  }

  /** {@code model-prices.yaml@prices-2026-11-01}: file name and version, what a span's cost names. */
  public String label() {
    return name + "@" + version;
  }

  public String version() {
    return version;
  }

  public String currency() {
    return currency;
  }

  public int size() {
    return prices.size();
  }
}
