package io.llmtrace.processors.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.processors.redaction.PatternDetector.Prefilter;
import io.llmtrace.processors.redaction.PatternDetector.Refiner;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The hand-written scanners must report exactly what their regex (run with plain {@code find()} over
 * the whole string, then the same validator) reports: on the corpus and on random strings built from
 * fragments that sit on every boundary of the regex (run lengths, octet values, label counts, the
 * characters its look-arounds test).
 */
class ScannerReferencesTest {

  private static final String LONG = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz0123456789-";

  @Test
  void ipv4ScannerFindsWhatItsRegexFinds() throws Exception {
    String[] fragments = {
      "0", "1", "9", "00", "01", "10", "99", "100", "199", "200", "249", "250", "255", "256", "300", "1000", ".", "..",
      " ", "-", "-a", "a", "Z", "_", ":", ",", "/", "v", "V ", "version ", "ver.", "build=", "release: ", "firmware",
      "1.2.3.4", "10.0.0.255", "192.168.1.20", "255.255.255.255", "1.2.3.4.5", "x", "1.", ".1", "255.", ".255", "256.",
      ".256", "09.", ".99", "1.2.", "1.2.3.", "\u2028", "\u0085", "\r\n", "\n", "\t", "BUILD", "Firmware:", "VeR.",
      "version      ", "=", "\u212A", "rELEASE =",
    };
    PatternDetector reference = new PatternDetector(Ipv4Detector.NAME, List.of(Pattern.compile(Ipv4Detector.REGEX)),
        Prefilter.ALWAYS, ScannerReferencesTest::notAVersion);
    assertThat(compare(new Ipv4Detector(), reference, fragments, 1L)).isGreaterThan(1_000);
  }

  @Test
  void emailScannerFindsWhatItsRegexFinds() throws Exception {
    String[] fragments = {
      "@", "@@", ".", "..", "-", "_", "%", "+", " ", ",", ":", "/", "\"", "a", "Z", "0", "9", "jane", "jane.doe", "x1",
      "co", "com", "uk", "c", "example", "example.com", "mail.example.co.uk", "a.b.c.d.e.f.g.h.i.j", ".com", "-x",
      "x-", LONG, LONG + LONG, "abcdefghijklmnopqrstuvwxy", "é", "\u212A", "jane@example.com", "a@b.co", "x@mail.example.co.uk",
      "@example.com", "@a.b.c.d.e.f.g.h.i.jk", "@1.2.3.4",
    };
    PatternDetector reference = new PatternDetector(EmailDetector.NAME, List.of(Pattern.compile(EmailDetector.REGEX)),
        Prefilter.ALWAYS, Refiner.ACCEPT);
    assertThat(compare(new EmailDetector(), reference, fragments, 2L)).isGreaterThan(1_000);
  }

  @Test
  void llmApiKeyScannerFindsWhatItsRegexFinds() throws Exception {
    String[] fragments = {
      "sk-", "sk", "-", "_", " ", "a", "Z", "0", "abcdefghij", "ABCDEFGHIJ0123456789", "proj-", "ant-", "svcacct-", "admin-",
      "x", ".", "é", "\n", "sk-proj-", "abcdefghijklmnopqrs", "abcdefghijklmnopqrst",
    };
    PatternDetector reference = new PatternDetector(LlmApiKeyDetector.NAME,
        List.of(Pattern.compile(LlmApiKeyDetector.REGEX)), Prefilter.ALWAYS, Refiner.ACCEPT);
    assertThat(compare(new LlmApiKeyDetector(), reference, fragments, 4L)).isGreaterThan(1_000);
  }

  @Test
  void secretAssignmentScannerFindsWhatItsRegexFinds() throws Exception {
    String[] fragments = {
      "password", "PassWord", "passwd", "pwd", "passphrase", "secret", "client_secret", "CLIENT-SECRET", "api_key", "api-key",
      "apikey", "ApiKey", "access_key", "accesskey", "private-key", "token", "Access_Token", "accesstoken", "authtoken",
      "refresh-token", "credential", "credentials", "key", "pass", "x", "X1", "my", "db", "_", ".", "-", "__", "\"", "'", "\\",
      "\\\"", ":", "=", "==", " ", "  ", "\t", "\n", "\r", "\u000B", "\f", "\u00a0", ",", ";", "&", "}", "{", "[", "]",
      "<", ">", "(", ")", "hunter2", "s3cr3t!", "null", "None", "TRUE", "***", "xxx", "<token>", "${DB_PASS}",
      "[REDACTED:EMAIL]", "[email:0123abcd]", "abc", "reset link", "\u212A", "\u00e9", "\u0130", LONG, LONG + LONG + LONG + LONG,
    };
    PatternDetector reference = new PatternDetector(SecretAssignmentDetector.NAME,
        List.of(Pattern.compile(SecretAssignmentDetector.REGEX)), Prefilter.ALWAYS, SecretAssignmentDetector::notAPlaceholder);
    assertThat(compare(new SecretAssignmentDetector(), reference, fragments, 6L)).isGreaterThan(1_000);
  }

  @Test
  void placeholderCheckWithoutRegexIsTheRegex() {
    String[] parts = {"null", "NuLL", "none", "true", "False", "undefined", "*", "**", "x", "X", "xx", "<", ">", "<a>", "$", "{",
      "}", "${", "${A}", "[", "]", "[redacted", "[REDACTED", "[Redacted:EMAIL]", "[EMAIL:", "EMAIL", "3f9a1c2b", "3F9A1C2",
      "0123abcdef", ":", "_", "a", "Z", "\n", "\r", "\u0085", "\u2028", "\u212A", " ", "\u00e9", "0", "g"};
    Pattern regex = Pattern.compile(SecretAssignmentDetector.PLACEHOLDER);
    Random rnd = new Random(8L);
    int placeholders = 0;
    for (int i = 0; i < 50_000; i++) {
      StringBuilder sb = new StringBuilder("k=");
      for (int k = rnd.nextInt(5); k >= 0; k--) {
        sb.append(parts[rnd.nextInt(parts.length)]);
      }
      String t = sb.toString();
      boolean expected = regex.matcher(t.substring(2)).matches();
      assertThat(SecretAssignmentDetector.placeholder(t, 2, t.length())).as("<%s>", t).isEqualTo(expected);
      placeholders += expected ? 1 : 0;
    }
    assertThat(placeholders).isBetween(2_000, 40_000);
  }

  @Test
  void phoneDetectorFindsWhatItsRegexesFind() throws Exception {
    String[] fragments = {
      "+", "++", "+1", "+44", "+491", "+4915112345678", "0", "1", "2", "9", "00", "12", "123", "4567", "12345", "123456",
      "7946", "0958", "030", "07700", " ", "  ", ".", "-", "/", "(", ")", "(415)", "555-0132", "555.0132", "a", "Z", "_",
      ":", ",", "x", "\n", "1 ", "+1 (", "1-(212) ", "+44 20 7946 0958", "(0)", "+33 (0)1 23 45 67 89", "\u212A",
    };
    PatternDetector reference = new PatternDetector(PhoneDetector.NAME,
        PhoneDetector.REGEXES.stream().map(Pattern::compile).toList(), (t, p) -> p.digits() >= 8, PhoneDetector::phoneDigits);
    assertThat(compare(new PhoneDetector(), reference, fragments, 9L)).isGreaterThan(1_000);
  }

  private static final Pattern VERSION_CONTEXT = Pattern.compile(Ipv4Detector.VERSION_CONTEXT);

  /** The regex form of the IPv4 validator. */
  static int notAVersion(String text, int start, int end) {
    String before = text.substring(Math.max(0, start - 12), start);
    return VERSION_CONTEXT.matcher(before).find() ? -1 : end;
  }

  @Test
  void versionContextWithoutRegexIsTheRegex() {
    String[] parts = {"version", "ver", ".", "v", "V", "release", "BUILD", "firmware", " ", "  ", "\t", "\n", "\r\n", "\r",
        ":", "=", "::", "x", "1", "\u2028", "\u0085", "\u2029", "\u212A", "é"};
    Random rnd = new Random(5L);
    int versions = 0;
    for (int i = 0; i < 50_000; i++) {
      StringBuilder sb = new StringBuilder();
      for (int k = rnd.nextInt(8); k >= 0; k--) {
        sb.append(parts[rnd.nextInt(parts.length)]);
      }
      String t = sb + "1.2.3.4";
      int start = sb.length();
      int expected = notAVersion(t, start, t.length());
      assertThat(Ipv4Detector.notAVersion(t, start, t.length())).as("<%s>", t).isEqualTo(expected);
      versions += expected < 0 ? 1 : 0;
    }
    assertThat(versions).isBetween(5_000, 45_000);
  }

  /** The corpus lines, then 20,000 strings of 1 to {@code maxFragments} random fragments. */
  static List<String> corpusAndRandom(String[] fragments, int maxFragments, long seed) throws Exception {
    List<String> texts = new ArrayList<>();
    for (CorpusTest.Line l : CorpusTest.load()) {
      texts.add(l.text());
    }
    Random rnd = new Random(seed);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder sb = new StringBuilder();
      for (int k = rnd.nextInt(maxFragments); k >= 0; k--) {
        sb.append(fragments[rnd.nextInt(fragments.length)]);
      }
      texts.add(sb.toString());
    }
    return texts;
  }

  /** Compares both detectors on the corpus and 20,000 random strings; returns the findings compared. */
  static int compare(Detector fast, Detector reference, String[] fragments, long seed) throws Exception {
    int compared = 0;
    for (String t : corpusAndRandom(fragments, 30, seed)) {
      List<Finding> a = new ArrayList<>();
      List<Finding> b = new ArrayList<>();
      fast.scan(t, TextProfile.of(t), a);
      reference.scan(t, TextProfile.of(t), b);
      assertThat(a).as("%s on <%s>", fast.name(), t).isEqualTo(b);
      compared += b.size();
    }
    return compared;
  }
}
