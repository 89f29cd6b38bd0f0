package io.llmtrace.processors.enrich;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmtrace.processors.enrich.GenAiPriceData.ConditionalPrice;
import io.llmtrace.processors.enrich.GenAiPriceData.Constraint;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The price data of the npm package {@code @pydantic/genai-prices}, bundled into this module's jar at
 * build time (pinned version, integrity-checked: see the module's pom), and looked up the way the package's
 * {@code calcPrice} does:
 * <ol>
 *   <li>provider: the one whose id is the span's provider, else the first whose {@code provider_match}
 *       matches it; with no provider, the first whose {@code model_match} matches the model. (A provider
 *       of {@code litellm} with a model {@code openai/gpt-4o} is read as openai's gpt-4o.)
 *   <li>model: the provider's first model whose {@code match} rule matches, else the same in each of its
 *       {@code fallback_model_providers} (Azure serving OpenAI's models); if none, once more with a date
 *       suffix {@code -20241022} spelt {@code -2024-10-22}.
 *   <li>price: the last of the model's price lists whose constraint holds at the span's start (a start
 *       date, or a UTC time-of-day window for off-peak prices), else the first list.
 * </ol>
 * Only token units are fed (input, cache read, cache write, output, reasoning): a span carries no audio
 * seconds, images or searches, so those priced units bill nothing.
 */
public final class GenAiPrices {

  /** The classpath resource the build writes; see {@code src/build/node/genai-prices-export.mjs}. */
  static final String RESOURCE = "genai-prices.json";

  /** A model the table priced, and what it charges for the span's tokens (USD). */
  public record Priced(String providerId, String modelId, double amount) {}

  private record Model(String id, MatchRule match, List<Conditional> prices) {}

  private record Provider(String id, MatchRule providerMatch, MatchRule modelMatch, List<String> fallbacks, List<Model> models) {}

  /** Null prices: the package would refuse to compute this list, so the model is unpriced. */
  private record Conditional(Constraint constraint, Instant from, double[] timeOfDay, UnitPrices prices) {}

  private static final class Bundled {
    static final GenAiPrices TABLE = loadBundled();
  }

  private final String packageName;
  private final String version;
  private final List<Provider> providers;

  private record Key(String providerId, String name) {}

  private record Resolved(Provider provider, Model model) {}

  private static final Resolved UNRESOLVED = new Resolved(null, null);
  /** Bounds the memo: model names come from clients, so their number is not ours to choose. */
  private static final int MAX_RESOLVED = 10_000;

  /**
   * Which model a provider and name resolve to depends on neither time nor tokens, and a scan can take
   * microseconds (OpenRouter lists 701 models), so it is remembered; when full, the memo starts over.
   */
  private final Map<Key, Resolved> memo = new ConcurrentHashMap<>();

  private GenAiPrices(GenAiPriceData data) {
    this.packageName = data.packageName();
    this.version = data.version();
    UnitPrices.Registry units = UnitPrices.Registry.of(data.units());
    List<Provider> converted = new ArrayList<>();
    for (GenAiPriceData.Provider p : data.providers()) {
      List<Model> models = new ArrayList<>();
      for (GenAiPriceData.Model m : p.models()) {
        List<Conditional> prices = new ArrayList<>();
        for (ConditionalPrice price : m.prices()) {
          prices.add(conditional(price, units, data.version(), p.id() + "/" + m.id()));
        }
        models.add(new Model(m.id(), m.match(), List.copyOf(prices)));
      }
      converted.add(new Provider(p.id(), p.providerMatch(), p.modelMatch(), p.fallbackModelProviders(),
          List.copyOf(models)));
    }
    this.providers = List.copyOf(converted);
  }

  /** The table this jar was built with; read once. */
  public static GenAiPrices bundled() {
    return Bundled.TABLE;
  }

  private static GenAiPrices loadBundled() {
    try (InputStream in = GenAiPrices.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the classpath: the stream-processors build exports it from the "
            + "genai-prices npm package (generate-resources); rebuild the module");
      }
      return parse(in, RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static GenAiPrices parse(InputStream json, String source) {
    ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    try {
      return new GenAiPrices(mapper.readValue(json, GenAiPriceData.class));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("genai-prices table " + source + ": " + JsonErrors.describe(e), e);
    } catch (IOException e) {
      throw new UncheckedIOException("genai-prices table " + source + " cannot be read", e);
    }
  }

  private static Conditional conditional(ConditionalPrice price, UnitPrices.Registry units, String version, String where) {
    UnitPrices prices;
    try {
      prices = UnitPrices.of(price.prices(), units).orElse(null);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("genai-prices " + version + " " + where + ": " + e.getMessage(), e);
    }
    Constraint c = price.constraint();
    if (c == null) {
      return new Conditional(null, null, null, prices);
    }
    if (c.type().equals("start_date")) {
      // The package compares with new Date("2026-08-17"): midnight UTC.
      return new Conditional(c, LocalDate.parse(c.startDate()).atStartOfDay(ZoneOffset.UTC).toInstant(), null, prices);
    }
    return new Conditional(c, null, new double[] {secondOfDayUtc(c.startTime()), secondOfDayUtc(c.endTime())}, prices);
  }

  private static final Pattern TIME_OF_DAY = Pattern.compile("^(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d+))?(Z|([+-])(\\d{2}):(\\d{2}))$");

  /** {@code 16:30:00Z} or {@code 00:30:00+08:00} as seconds after midnight UTC, as the package reads it. */
  static double secondOfDayUtc(String time) {
    Matcher m = TIME_OF_DAY.matcher(time);
    if (!m.matches() || Integer.parseInt(m.group(1)) > 23 || Integer.parseInt(m.group(2)) > 59 || Integer.parseInt(m.group(3)) > 59
        || (m.group(7) != null && (Integer.parseInt(m.group(7)) > 23 || Integer.parseInt(m.group(8)) > 59))) {
      throw new IllegalArgumentException("invalid time-of-day constraint: " + time);
    }
    double seconds = Integer.parseInt(m.group(1)) * 3600 + Integer.parseInt(m.group(2)) * 60 + Integer.parseInt(m.group(3))
        + (m.group(4) == null ? 0 : Double.parseDouble("0." + m.group(4)));
    int offset = m.group(5).equals("Z") ? 0
        : (m.group(6).equals("+") ? 1 : -1) * (Integer.parseInt(m.group(7)) * 60 + Integer.parseInt(m.group(8))) * 60;
    return (seconds - offset + 86400) % 86400;
  }

  /**
   * The price of a span's tokens, or empty when no model matches (or the matched one has no usable price).
   * {@code provider} may be null; names are compared lower-cased and trimmed, as the package does.
   */
  public Optional<Priced> price(String provider, String model, Instant at, TokenCounts usage) {
    if (model == null || model.isBlank()) {
      return Optional.empty();
    }
    String name = model.strip().toLowerCase(Locale.ROOT);
    String providerId = provider == null || provider.isBlank() ? null : provider.strip().toLowerCase(Locale.ROOT);
    if (memo.size() >= MAX_RESOLVED) {
      memo.clear();
    }
    Resolved resolved = memo.computeIfAbsent(new Key(providerId, name), this::resolve);
    if (resolved == UNRESOLVED) {
      return Optional.empty();
    }
    UnitPrices prices = at(resolved.model(), at).prices();
    return prices == null ? Optional.empty() : Optional.of(new Priced(resolved.provider().id(), resolved.model().id(), prices.cost(usage)));
  }

  private Resolved resolve(Key key) {
    String name = key.name();
    String providerId = key.providerId();
    if ("litellm".equals(providerId) && name.indexOf('/') > 0 && name.indexOf('/') < name.length() - 1) {
      String prefix = name.substring(0, name.indexOf('/'));
      if (provider(prefix, null) != null) {
        providerId = prefix;
        name = name.substring(name.indexOf('/') + 1);
      }
    }
    Provider found = provider(providerId, name);
    if (found == null) {
      return UNRESOLVED;
    }
    Model matched = model(found, name, true);
    if (matched == null) {
      String dated = isoDates(name);
      matched = dated.equals(name) ? null : model(found, dated, true);
    }
    return matched == null ? UNRESOLVED : new Resolved(found, matched);
  }

  private Provider provider(String providerId, String model) {
    if (providerId != null) {
      for (Provider p : providers) {
        if (p.id().equals(providerId)) {
          return p;
        }
      }
      for (Provider p : providers) {
        if (p.providerMatch() != null && p.providerMatch().matches(providerId)) {
          return p;
        }
      }
      // As in the package: a provider it does not know prices nothing, except the litellm proxy, whose
      // models are then matched by name.
      if (!providerId.equals("litellm")) {
        return null;
      }
    }
    if (model != null) {
      for (Provider p : providers) {
        if (p.modelMatch() != null && p.modelMatch().matches(model)) {
          return p;
        }
      }
    }
    return null;
  }

  private Model model(Provider provider, String name, boolean withFallbacks) {
    for (Model m : provider.models()) {
      if (m.match().matches(name)) {
        return m;
      }
    }
    if (withFallbacks) {
      // One level only, as the package does: a fallback's own fallbacks are not searched.
      for (String fallback : provider.fallbacks()) {
        for (Provider p : providers) {
          if (p.id().equals(fallback)) {
            Model m = model(p, name, false);
            if (m != null) {
              return m;
            }
            break;
          }
        }
      }
    }
    return null;
  }

  private static Conditional at(Model model, Instant at) {
    List<Conditional> prices = model.prices();
    for (int i = prices.size() - 1; i >= 0; i--) {
      Conditional price = prices.get(i);
      if (price.constraint() == null) {
        return price;
      }
      if (price.from() != null) {
        if (!at.isBefore(price.from())) {
          return price;
        }
      } else {
        long millisOfDay = Math.floorMod(at.toEpochMilli(), 86_400_000L);
        double now = millisOfDay / 1000.0;
        double start = price.timeOfDay()[0];
        double end = price.timeOfDay()[1];
        boolean inside = end < start ? now >= start || now < end : now >= start && now < end;
        if (inside) {
          return price;
        }
      }
    }
    return prices.get(0);
  }

  private static final Pattern COMPACT_DATE = Pattern.compile("(-)(20\\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\\d|3[01])(?=-|:|$)");

  /** {@code claude-3-5-sonnet-20241022} → {@code claude-3-5-sonnet-2024-10-22}, real calendar dates only. */
  static String isoDates(String name) {
    return COMPACT_DATE.matcher(name).replaceAll(m -> {
      try {
        LocalDate.of(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)));
        return m.group(1) + m.group(2) + "-" + m.group(3) + "-" + m.group(4);
      } catch (DateTimeException e) {
        return m.group();
      }
    });
  }

  /** {@code genai-prices@0.1.8}: what a span's {@code cost.price_table_version} names. */
  public String label() {
    return "genai-prices@" + version;
  }

  public String packageName() {
    return packageName;
  }

  public String version() {
    return version;
  }

  public int providerCount() {
    return providers.size();
  }

  public int modelCount() {
    return providers.stream().mapToInt(p -> p.models().size()).sum();
  }
}
