package io.llmtrace.processors.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.schemas.avro.Feedback;
import io.llmtrace.schemas.avro.LlmOutput;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.Message;
import io.llmtrace.schemas.avro.PromptInfo;
import io.llmtrace.schemas.avro.RetrievedDocument;
import io.llmtrace.schemas.avro.Retrieval;
import io.llmtrace.schemas.avro.SpanEvent;
import io.llmtrace.schemas.avro.ToolExecution;
import io.llmtrace.schemas.testing.TestSpans;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random spans with canaries and freshly generated secrets (Luhn-valid cards, e-mails, AWS keys,
 * GitHub tokens, JWTs, ...) planted between words of random text in random fields: after
 * redaction none of them may survive anywhere in the span.
 */
class RedactionPropertiesTest {

  private static final Redactor REDACTOR = new Redactor(RedactionPolicy.loadDefault(RedactionPolicyTest.ENV::get));
  private static final Canaries CANARIES = Canaries.of(REDACTOR.policy());
  private static final int FIELDS = 12;
  private static final String AN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final String UP = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  record Plant(String secret, int field, double position) {}

  @Provide
  Arbitrary<String> secret() {
    return Arbitraries.longs().map(seed -> {
      Random r = new Random(seed);
      return switch (r.nextInt(11)) {
        case 0 -> card(r);
        case 1 -> word(r, "abcdefghijklmnopqrstuvwxyz.", 3, 12).replaceAll("^\\.|\\.$", "x") + "@" + word(r, "abcdefghijklmnop", 3, 8) + ".com";
        case 2 -> (r.nextBoolean() ? "AKIA" : "ASIA") + word(r, UP, 16, 16);
        case 3 -> "gh" + "pousr".charAt(r.nextInt(5)) + "_" + word(r, AN, 36, 40);
        case 4 -> jwt(r);
        case 5 -> "sk_live_" + word(r, AN, 10, 30);
        case 6 -> "sk-proj-" + word(r, AN, 24, 48);
        case 7 -> "xoxb-" + word(r, "0123456789", 12, 12) + "-" + word(r, AN, 24, 24);
        case 8 -> "AIza" + word(r, AN + "-_", 35, 35);
        case 9 -> "-----BEGIN PRIVATE KEY-----\n" + word(r, AN, 64, 64) + "\n-----END PRIVATE KEY-----";
        default -> CANARIES.values().get(r.nextInt(CANARIES.values().size()));
      };
    });
  }

  @Provide
  Arbitrary<List<Plant>> plants() {
    Arbitrary<Plant> plant = net.jqwik.api.Combinators.combine(
        secret(), Arbitraries.integers().between(0, FIELDS - 1), Arbitraries.doubles().between(0, 1)).as(Plant::new);
    return plant.list().ofMinSize(1).ofMaxSize(6);
  }

  @Provide
  Arbitrary<List<String>> texts() {
    Arbitrary<String> word = Arbitraries.strings().withChars("abcdefghij klmnop,.:{}\"=0123456789").ofMaxLength(12);
    return word.list().ofMaxSize(20).map(ws -> String.join(" ", ws)).list().ofSize(FIELDS);
  }

  @Property(tries = 300)
  void noPlantedSecretOrCanarySurvives(@ForAll("texts") List<String> texts, @ForAll("plants") List<Plant> plants) {
    List<String> fields = new ArrayList<>(texts);
    for (Plant p : plants) {
      String t = fields.get(p.field());
      int at = (int) (p.position() * t.length());
      fields.set(p.field(), t.substring(0, at) + " " + p.secret() + " " + t.substring(at));
    }
    LlmSpan span = spanWith(fields);

    LlmSpan redacted = REDACTOR.redact(span);

    List<String> strings = new ArrayList<>();
    SpanStrings.forEach(redacted, strings::add);
    String all = String.join("\u0000", strings);
    for (Plant p : plants) {
      assertThat(all).doesNotContain(p.secret());
    }
    assertThat(CANARIES.findIn(redacted)).isEmpty();
  }

  private static LlmSpan spanWith(List<String> f) {
    LlmSpan s = TestSpans.minimal();
    s.setErrorMessage(f.get(0));
    s.setPrompt(PromptInfo.newBuilder().setVariables(new HashMap<>(java.util.Map.of("v", f.get(1))))
        .setMessages(new ArrayList<>(List.of(Message.newBuilder().setRole("user").setContent(f.get(2)).build()))).build());
    s.setOutput(LlmOutput.newBuilder().setText(f.get(3)).setStructuredOutputJson(f.get(4)).build());
    s.setToolExecution(ToolExecution.newBuilder().setName("t").setArgumentsJson(f.get(5)).setResultContent(f.get(6)).build());
    s.setRetrieval(Retrieval.newBuilder().setQuery(f.get(7))
        .setDocuments(new ArrayList<>(List.of(RetrievedDocument.newBuilder().setDocId("d").setContent(f.get(8)).build()))).build());
    s.setFeedback(new ArrayList<>(List.of(Feedback.newBuilder().setKind("k").setComment(f.get(9)).build())));
    s.setAttributes(new HashMap<>(java.util.Map.of("a", f.get(10))));
    s.setEvents(new ArrayList<>(List.of(SpanEvent.newBuilder().setName("e").setTime(TestSpans.START)
        .setAttributes(new HashMap<>(java.util.Map.of("b", f.get(11)))).build())));
    return s;
  }

  private static String word(Random r, String chars, int min, int max) {
    int n = min + r.nextInt(max - min + 1);
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(chars.charAt(r.nextInt(chars.length())));
    }
    return sb.toString();
  }

  static String card(Random r) {
    String[] prefixes = {"4", "51", "55", "34", "37", "6011", "35"};
    String prefix = prefixes[r.nextInt(prefixes.length)];
    int len = prefix.startsWith("3") && !prefix.equals("35") ? 15 : 16;
    StringBuilder sb = new StringBuilder(prefix);
    while (sb.length() < len - 1) {
      sb.append(r.nextInt(10));
    }
    for (int d = 0; d < 10; d++) {
      if (Checksums.luhn(sb.toString() + d)) {
        sb.append(d);
        break;
      }
    }
    String v = sb.toString();
    return switch (r.nextInt(3)) {
      case 0 -> v;
      case 1 -> v.replaceAll("(\\d{4})(?=\\d)", "$1 ");
      default -> v.replaceAll("(\\d{4})(?=\\d)", "$1-");
    };
  }

  private static String jwt(Random r) {
    Base64.Encoder e = Base64.getUrlEncoder().withoutPadding();
    String h = e.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String p = e.encodeToString(("{\"sub\":\"" + r.nextInt(1_000_000) + "\"}").getBytes(StandardCharsets.UTF_8));
    byte[] sig = new byte[32];
    r.nextBytes(sig);
    return h + "." + p + "." + e.encodeToString(sig);
  }
}
