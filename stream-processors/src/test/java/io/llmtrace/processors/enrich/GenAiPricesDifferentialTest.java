package io.llmtrace.processors.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java port against the package itself: every model of the bundled data, under names taken from its
 * own match rules, with random token counts (across the tier thresholds) and random instants (across the
 * price changes and off-peak windows), priced by {@link GenAiPrices} and by the package's {@code calcPrice}
 * run in node on the very tarball the build verified ({@code target/genai-prices/package}). The cases are
 * derived from the raw JSON with Jackson's tree model, not through the records under test.
 */
class GenAiPricesDifferentialTest {

  private static final Path PACKAGE_BUNDLE = Path.of("target", "genai-prices", "package", "dist", "index.js");
  private static final Path REFERENCE = Path.of("src", "test", "node", "genai-prices-reference.mjs");
  /** OpenTelemetry and other spellings, resolved through the providers' provider_match rules. */
  private static final List<String> PROVIDER_SPELLINGS = List.of("bedrock", "aws.bedrock", "vertex_ai", "gcp.vertex_ai", "azure.openai",
      "mistral_ai", "xai", "together_ai", "litellm", "self_hosted");

  /** {@code origin}: the provider/model id whose rule the name came from, null for the extra cases. */
  private record Case(String provider, String model, Instant at, TokenCounts usage, String origin) {
    Case(String provider, String model, Instant at, TokenCounts usage) {
      this(provider, model, at, usage, null);
    }
  }

  private final ObjectMapper json = new ObjectMapper();
  private final GenAiPrices prices = GenAiPrices.bundled();

  @Test
  void javaPricesEveryModelAsThePackagesCalcPriceDoes(@TempDir Path dir) throws Exception {
    List<Case> cases = cases(new Random(20261201));
    JsonNode expected = reference(cases, dir);

    int priced = 0;
    int unpriced = 0;
    List<String> mismatches = new ArrayList<>();
    Set<String> selfMatched = new java.util.HashSet<>();
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      JsonNode want = expected.get(i);
      assertThat(want.has("error")).as("calcPrice failed on %s: %s", c, want.path("error").asText()).isFalse();
      Optional<GenAiPrices.Priced> got = prices.price(c.provider(), c.model(), c.at(), c.usage());
      if (want.isNull()) {
        unpriced++;
        if (got.isPresent()) {
          mismatches.add(c + ": package prices nothing, Java " + got.get());
        }
        continue;
      }
      priced++;
      String matched = want.get("provider").asText() + "/" + want.get("model").asText();
      if (matched.equals(c.origin())) {
        selfMatched.add(matched);
      }
      if (got.isEmpty()) {
        mismatches.add(c + ": package " + want + ", Java nothing");
      } else if (!got.get().providerId().equals(want.get("provider").asText()) || !got.get().modelId().equals(want.get("model").asText())
          || Math.abs(got.get().amount() - want.get("total").asDouble()) > 1e-12 * Math.max(1, want.get("total").asDouble())) {
        mismatches.add(c + ": package " + want + ", Java " + got.get());
      }
    }

    assertThat(mismatches).as("cases priced differently (of %d)", cases.size()).isEmpty();
    // Not vacuous: every model of the data was priced, as itself, by at least one case (6,106 cases: 3,316
    // priced, the rest names without a provider or under spellings the package does not know).
    assertThat(selfMatched).as("models priced as themselves").hasSize(prices.modelCount());
    assertThat(priced).isGreaterThan(cases.size() / 2);
    assertThat(unpriced).isGreaterThan(0);
  }

  /** Per model: its id and up to three names its rule accepts, with its provider and once without one. */
  private List<Case> cases(Random random) throws IOException {
    JsonNode data;
    try (InputStream in = GenAiPrices.class.getResourceAsStream(GenAiPrices.RESOURCE)) {
      data = json.readTree(in);
    }
    List<Case> cases = new ArrayList<>();
    for (JsonNode provider : data.get("providers")) {
      for (JsonNode model : provider.get("models")) {
        Set<String> names = new LinkedHashSet<>();
        names.add(model.get("id").asText());
        namesFrom(model.get("match"), names);
        List<String> sample = new ArrayList<>(names).subList(0, Math.min(4, names.size()));
        String origin = provider.get("id").asText() + "/" + model.get("id").asText();
        for (String name : sample) {
          cases.add(new Case(provider.get("id").asText(), name, instant(random), usage(random), origin));
        }
        cases.add(new Case(null, sample.get(random.nextInt(sample.size())), instant(random), usage(random)));
        cases.add(new Case(PROVIDER_SPELLINGS.get(random.nextInt(PROVIDER_SPELLINGS.size())), sample.get(0), instant(random), usage(random)));
      }
    }
    // Dated snapshots the package re-reads as ISO dates, and LiteLLM's provider/model ids.
    for (String name : List.of("claude-3-5-sonnet-20241022", "claude-3-7-sonnet-20250219", "gpt-4o-2024-08-06", "claude-sonnet-4-20250514",
        "gemini-2.0-flash-20250101", "gpt-4o-20241399")) {
      cases.add(new Case(null, name, instant(random), usage(random)));
    }
    for (String name : List.of("openai/gpt-4o", "anthropic/claude-3-5-haiku-latest", "nonsense/gpt-4o", "gpt-4o-mini")) {
      cases.add(new Case("litellm", name, instant(random), usage(random)));
    }
    return cases;
  }

  private static void namesFrom(JsonNode rule, Set<String> names) {
    rule.fields().forEachRemaining(field -> {
      switch (field.getKey()) {
        case "or", "and" -> field.getValue().forEach(r -> namesFrom(r, names));
        case "equals", "contains" -> names.add(field.getValue().asText());
        case "starts_with" -> names.add(field.getValue().asText() + "-latest");
        case "ends_with" -> names.add("x-" + field.getValue().asText());
        default -> { } // a regex yields no sample name; the model id stands for it
      }
    });
  }

  private static Instant instant(Random random) {
    long from = Instant.parse("2024-01-01T00:00:00Z").toEpochMilli();
    long to = Instant.parse("2027-12-31T00:00:00Z").toEpochMilli();
    return Instant.ofEpochMilli(from + (long) (random.nextDouble() * (to - from)));
  }

  private static TokenCounts usage(Random random) {
    long input = switch (random.nextInt(3)) {
      case 0 -> random.nextInt(5_000);
      case 1 -> 100_000 + random.nextInt(250_000);
      default -> random.nextInt(1_500_000);
    };
    long cacheRead = random.nextInt(3) == 0 ? 0 : (long) (random.nextDouble() * input / 2);
    long cacheWrite = random.nextInt(3) == 0 ? 0 : (long) (random.nextDouble() * (input - cacheRead) / 2);
    long output = random.nextInt(30_000);
    long reasoning = random.nextBoolean() ? 0 : (long) (random.nextDouble() * output);
    return new TokenCounts(input, cacheRead, cacheWrite, output, reasoning);
  }

  private JsonNode reference(List<Case> cases, Path dir) throws IOException, InterruptedException {
    assertThat(PACKAGE_BUNDLE).as("the build unpacks the verified package here (generate-resources)").isRegularFile();
    ArrayNode input = json.createArrayNode();
    for (Case c : cases) {
      ObjectNode node = input.addObject();
      node.put("provider", c.provider());
      node.put("model", c.model());
      node.put("at", c.at().toString());
      ObjectNode usage = node.putObject("usage");
      usage.put("input_tokens", c.usage().input());
      usage.put("cache_read_tokens", c.usage().cacheRead());
      usage.put("cache_write_tokens", c.usage().cacheWrite());
      usage.put("output_tokens", c.usage().output());
      usage.put("output_reasoning_tokens", c.usage().reasoning());
    }
    Path casesFile = dir.resolve("cases.json");
    Path out = dir.resolve("expected.json");
    Path err = dir.resolve("stderr.txt");
    json.writeValue(casesFile.toFile(), input);
    Process node = new ProcessBuilder("node", REFERENCE.toString(), PACKAGE_BUNDLE.toString(), casesFile.toString())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!node.waitFor(120, TimeUnit.SECONDS)) {
      node.destroyForcibly();
      throw new AssertionError("node did not finish pricing " + cases.size() + " cases in 120 s");
    }
    assertThat(node.exitValue()).as("node failed: %s", Files.readString(err, StandardCharsets.UTF_8)).isZero();
    JsonNode results = json.readTree(out.toFile());
    assertThat(results.size()).isEqualTo(cases.size());
    return results;
  }
}
