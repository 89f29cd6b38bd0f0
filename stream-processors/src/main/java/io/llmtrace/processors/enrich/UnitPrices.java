package io.llmtrace.processors.enrich;

import io.llmtrace.processors.enrich.GenAiPriceData.Rate;
import io.llmtrace.processors.enrich.GenAiPriceData.Unit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * One genai-prices price list (price key → rate) prepared for pricing spans, following the package's
 * {@code calcPrice}: units form a hierarchy by their dimensions ({@code cache_read_tokens} is an
 * {@code input_tokens} with {@code token_type: cache_read}), and each priced unit bills only what none of
 * its priced descendants bills. So when a model lists no cache-read price, cache reads are input tokens at
 * the input price; when it does, input is billed for {@code input - cache_read - ...}. A tiered rate picks
 * its price by the request's total input tokens; a per-request price bills one request. The arithmetic
 * keeps the package's order of operations, so that both agree to rounding (the differential test).
 */
final class UnitPrices {

  private enum Direction { INPUT, OUTPUT, OTHER }

  /** A priced unit: the unit's usage key, its rate and per, and the indexes of its priced descendants. */
  private record Entry(String usageKey, Direction direction, double per, Rate rate, int[] descendants) {}

  private final List<Entry> entries;
  /** Leaves are computed most specific first, since a unit's own share subtracts its descendants' shares. */
  private final int[] leafOrder;
  private final boolean tiered;

  private UnitPrices(List<Entry> entries, int[] leafOrder) {
    this.entries = entries;
    this.leafOrder = leafOrder;
    this.tiered = entries.stream().anyMatch(e -> e.rate().tiered());
  }

  /** The package's units, indexed once per table: by usage key, by price key and by dimensions. */
  record Registry(Map<String, Unit> byUsageKey, Map<String, String> usageKeyByPriceKey,
      Map<Map<String, String>, String> usageKeyByDimensions) {

    static Registry of(Map<String, Unit> byUsageKey) {
      Map<String, String> byPriceKey = new TreeMap<>();
      Map<Map<String, String>, String> byDimensions = new HashMap<>();
      byUsageKey.forEach((usageKey, unit) -> {
        byPriceKey.put(unit.priceKey(), usageKey);
        byDimensions.put(unit.dimensions(), usageKey);
      });
      return new Registry(Map.copyOf(byUsageKey), Map.copyOf(byPriceKey), Map.copyOf(byDimensions));
    }
  }

  /**
   * Empty when the list is one {@code calcPrice} refuses to compute (a priced unit without its ancestor's
   * price, or two overlapping priced units without a price for their overlap): such a model is unpriced.
   */
  static Optional<UnitPrices> of(Map<String, Rate> prices, Registry registry) {
    Map<String, Unit> unitsByUsageKey = registry.byUsageKey();
    Map<String, String> usageKeyByPriceKey = registry.usageKeyByPriceKey();
    Map<Map<String, String>, String> usageKeyByDimensions = registry.usageKeyByDimensions();
    List<String> keys = new ArrayList<>();
    List<Unit> units = new ArrayList<>();
    prices.keySet().forEach(priceKey -> {
      String usageKey = usageKeyByPriceKey.get(priceKey);
      if (usageKey == null) {
        throw new IllegalArgumentException("price key " + priceKey + " has no unit");
      }
      keys.add(usageKey);
      units.add(unitsByUsageKey.get(usageKey));
    });
    if (!complete(keys, units, unitsByUsageKey, usageKeyByDimensions)) {
      return Optional.empty();
    }
    List<Entry> entries = new ArrayList<>();
    List<Rate> rates = List.copyOf(prices.values());
    for (int i = 0; i < keys.size(); i++) {
      List<Integer> descendants = new ArrayList<>();
      for (int j = 0; j < keys.size(); j++) {
        if (j != i && !keys.get(j).equals("requests") && contains(units.get(j), units.get(i))) {
          descendants.add(j);
        }
      }
      String direction = units.get(i).dimensions().get("direction");
      entries.add(new Entry(keys.get(i), "input".equals(direction) ? Direction.INPUT : "output".equals(direction) ? Direction.OUTPUT
          : Direction.OTHER, units.get(i).per(), rates.get(i), descendants.stream().mapToInt(Integer::intValue).toArray()));
    }
    int[] leafOrder = IntStream.range(0, keys.size())
        .filter(i -> !keys.get(i).equals("requests"))
        .boxed()
        .sorted(Comparator.<Integer>comparingInt(i -> -units.get(i).dimensions().size()).thenComparing(keys::get))
        .mapToInt(Integer::intValue).toArray();
    return Optional.of(new UnitPrices(List.copyOf(entries), leafOrder));
  }

  /** Total in USD, the package's {@code total_price}. */
  double cost(TokenCounts usage) {
    double[] leaf = new double[entries.size()];
    for (int i : leafOrder) {
      Entry entry = entries.get(i);
      double descendantsShare = 0;
      for (int d : entry.descendants()) {
        descendantsShare += leaf[d];
      }
      // Counts that do not add up (more cache reads than input) cannot make a negative bill.
      leaf[i] = Math.max(0, usage.byUsageKey(entry.usageKey()) - descendantsShare);
    }
    long totalInput = tiered ? usage.input() : 0;
    double input = 0;
    double output = 0;
    double other = 0;
    for (int i = 0; i < entries.size(); i++) {
      Entry entry = entries.get(i);
      double count = entry.usageKey().equals("requests") ? 1 : leaf[i];
      double amount = entry.rate().tiered()
          ? (count <= 0 ? 0 : entry.rate().at(totalInput) * count / 1e6) * 1e6 / entry.per()
          : entry.rate().base() * count / entry.per();
      switch (entry.direction()) {
        case INPUT -> input += amount;
        case OUTPUT -> output += amount;
        case OTHER -> other += amount;
      }
    }
    return input + output + other;
  }

  /** Whether {@code descendant} has every dimension of {@code ancestor} (a unit is its own descendant). */
  private static boolean contains(Unit descendant, Unit ancestor) {
    return descendant.dimensions().entrySet().containsAll(ancestor.dimensions().entrySet());
  }

  /** Two units overlap when no dimension they both have differs (cache reads and audio input: cached audio). */
  private static boolean overlap(Unit a, Unit b) {
    return a.dimensions().entrySet().stream().allMatch(e -> {
      String other = b.dimensions().get(e.getKey());
      return other == null || other.equals(e.getValue());
    });
  }

  /** The package's checks before pricing: every ancestor of a priced unit is priced, and every overlap. */
  private static boolean complete(List<String> keys, List<Unit> units, Map<String, Unit> all, Map<Map<String, String>, String> byDimensions) {
    for (Unit unit : units) {
      for (Map.Entry<String, Unit> candidate : all.entrySet()) {
        if (candidate.getValue() != unit && contains(unit, candidate.getValue()) && !keys.contains(candidate.getKey())) {
          return false;
        }
      }
    }
    for (int i = 0; i < units.size(); i++) {
      for (int j = i + 1; j < units.size(); j++) {
        if (overlap(units.get(i), units.get(j))) {
          Map<String, String> joined = new TreeMap<>(units.get(i).dimensions());
          joined.putAll(units.get(j).dimensions());
          String join = byDimensions.get(Map.copyOf(joined));
          if (join == null || !keys.contains(join)) {
            return false;
          }
        }
      }
    }
    return true;
  }
}
