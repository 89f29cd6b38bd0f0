package io.llmtrace.processors.enrich;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The JSON the build exports from {@code @pydantic/genai-prices} ({@code src/build/node/genai-prices-export.mjs}),
 * bound strictly: the shape is ours and fixed, so a field this code does not understand (a new match operator,
 * a new constraint) fails the load, and the differential test, instead of being priced wrongly.
 */
record GenAiPriceData(@JsonProperty("package") String packageName, String version, String integrity, Map<String, Unit> units,
    List<Provider> providers) {

  GenAiPriceData {
    require(packageName != null && version != null && units != null && providers != null && !providers.isEmpty(),
        "package, version, units and providers are required");
  }

  /** A unit of usage, e.g. {@code cache_read_tokens}: its place in the hierarchy, and how many of it one price covers. */
  record Unit(Map<String, String> dimensions, double per, @JsonProperty("price_key") String priceKey) {
    Unit {
      require(dimensions != null && per > 0 && priceKey != null, "a unit needs dimensions, per > 0 and price_key");
      dimensions = Map.copyOf(dimensions);
    }
  }

  record Provider(String id, String name, @JsonProperty("provider_match") MatchRule providerMatch,
      @JsonProperty("model_match") MatchRule modelMatch, @JsonProperty("fallback_model_providers") List<String> fallbackModelProviders,
      List<Model> models) {
    Provider {
      require(id != null && models != null, "a provider needs an id and models");
      fallbackModelProviders = fallbackModelProviders == null ? List.of() : List.copyOf(fallbackModelProviders);
    }
  }

  record Model(String id, String name, MatchRule match, List<ConditionalPrice> prices) {
    Model {
      require(id != null && match != null && prices != null && !prices.isEmpty(), "model " + id + " needs an id, a match rule and prices");
    }
  }

  /** Prices (by price key, e.g. {@code input_mtok}) that apply from a date, or at a time of day, or always. */
  record ConditionalPrice(Constraint constraint, Map<String, Rate> prices) {
    ConditionalPrice {
      require(prices != null, "prices are required");
    }
  }

  record Constraint(String type, @JsonProperty("start_date") String startDate, @JsonProperty("start_time") String startTime,
      @JsonProperty("end_time") String endTime) {
    Constraint {
      boolean startDateForm = "start_date".equals(type) && startDate != null && startTime == null && endTime == null;
      boolean timeOfDayForm = "time_of_date".equals(type) && startDate == null && startTime != null && endTime != null;
      require(startDateForm || timeOfDayForm, "a constraint is {type: start_date, start_date} or {type: time_of_date, start_time, end_time}");
    }
  }

  /** A price per {@link Unit#per} units: flat (a JSON number), or tiered by the request's total input tokens. */
  record Rate(double base, List<Tier> tiers) {
    @JsonCreator
    Rate(@JsonProperty(value = "base", required = true) double base, @JsonProperty(value = "tiers", required = true) List<Tier> tiers) {
      require(Double.isFinite(base) && base >= 0, "a price must be a finite number >= 0, got " + base);
      this.base = base;
      this.tiers = tiers.stream().sorted(Comparator.comparingLong(Tier::start)).toList();
    }

    @JsonCreator
    static Rate flat(double price) {
      return new Rate(price, List.of());
    }

    boolean tiered() {
      return !tiers.isEmpty();
    }

    /** The package's rule: the last tier whose start the total input tokens exceed (strictly), else the base. */
    double at(long totalInputTokens) {
      double price = base;
      for (Tier tier : tiers) {
        if (totalInputTokens > tier.start()) {
          price = tier.price();
        }
      }
      return price;
    }
  }

  record Tier(long start, double price) {
    Tier {
      require(start >= 0 && Double.isFinite(price) && price >= 0, "a tier needs start >= 0 and a price >= 0");
    }
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
