package io.llmtrace.processors.redaction;

import io.llmtrace.processors.redaction.PatternDetector.Prefilter;
import io.llmtrace.processors.redaction.PatternDetector.Refiner;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The built-in detector table, in priority order: when findings of two detectors overlap, the
 * merged region is attributed to the one listed first (secrets before PII, specific before
 * generic).
 *
 * <table>
 *   <caption>Built-in detectors</caption>
 *   <tr><th>name</th><th>finds</th><th>pre-filter</th></tr>
 *   <tr><td>private_key</td><td>PEM private key blocks (to the end of text when truncated)</td><td>"PRIVATE KEY"</td></tr>
 *   <tr><td>url_credentials</td><td>the password of scheme://user:pass@host</td><td>"://"</td></tr>
 *   <tr><td>bearer_token</td><td>Authorization: Bearer/Basic/Token values, "Bearer x" tokens</td><td>"earer", "authorization" before ':'/'='</td></tr>
 *   <tr><td>jwt</td><td>three base64url segments whose header decodes to JSON with "alg"</td><td>"ey"</td></tr>
 *   <tr><td>aws_access_key_id</td><td>AKIA/ASIA + 16 upper-case alphanumerics</td><td>"AKIA"/"ASIA"</td></tr>
 *   <tr><td>aws_secret_key</td><td>aws_secret_access_key=..., or 40 base64 chars near "aws"/"secret"</td><td>the key before ':'/'=', 40-char runs</td></tr>
 *   <tr><td>github_token</td><td>ghp_/gho_/ghu_/ghs_/ghr_ and github_pat_ tokens</td><td>"gh"</td></tr>
 *   <tr><td>stripe_key</td><td>sk_/rk_/pk_ live and test keys</td><td>"_live_"/"_test_"</td></tr>
 *   <tr><td>llm_api_key</td><td>OpenAI/Anthropic-style sk-, sk-proj-, sk-ant- keys</td><td>"sk-"</td></tr>
 *   <tr><td>slack_token</td><td>xoxa/b/p/r/s- and xapp- tokens</td><td>"xox"/"xapp-"</td></tr>
 *   <tr><td>google_api_key</td><td>AIza + 35 characters</td><td>"AIza"</td></tr>
 *   <tr><td>secret_assignment</td><td>values of password=, secret:, api_key=, token=, "password": "..."</td><td>the key before ':'/'='</td></tr>
 *   <tr><td>iban</td><td>IBANs with a valid mod-97 checksum</td><td>10 digits</td></tr>
 *   <tr><td>payment_card</td><td>13-19 digits, network prefix, Luhn</td><td>13 digits</td></tr>
 *   <tr><td>us_ssn</td><td>AAA-GG-SSSS outside the never-issued ranges</td><td>9 digits and '-'</td></tr>
 *   <tr><td>email</td><td>e-mail addresses</td><td>'@'</td></tr>
 *   <tr><td>phone</td><td>E.164, US and common European national formats</td><td>8 digits</td></tr>
 *   <tr><td>ipv6</td><td>full and compressed IPv6 addresses</td><td>':'</td></tr>
 *   <tr><td>ipv4</td><td>dotted quads with octets 0-255, not after "version"/"v"</td><td>4 digits</td></tr>
 * </table>
 */
public final class BuiltInDetectors {

  private BuiltInDetectors() {}

  /**
   * Pre-filter of detectors whose candidate starts are occurrences of their literals: finding none
   * already skips the regex, so testing the literals first would only scan the text twice.
   */
  private static final Prefilter ONLY_AT_STARTS = Prefilter.ALWAYS;

  /** What {@code aws_?secret_?access_?key} spells (before {@link #ALL}, which uses it). */
  private static final String[] AWS_SECRET_KEYS = {
    "awssecretaccesskey", "awssecretaccess_key", "awssecret_accesskey", "awssecret_access_key",
    "aws_secretaccesskey", "aws_secretaccess_key", "aws_secret_accesskey", "aws_secret_access_key",
  };

  private static final Map<String, Detector> ALL = build();

  /** All built-in detectors by name, in priority order. */
  public static Map<String, Detector> all() {
    return ALL;
  }

  private static Map<String, Detector> build() {
    Map<String, Detector> m = new LinkedHashMap<>();
    add(m, pattern("private_key", literal("PRIVATE KEY"), Refiner.ACCEPT, starts(Starts.needles(0, "-----BEGIN ")),
        "-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\\s\\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\\z)"));
    add(m, pattern("url_credentials", literal("://"), Refiner.ACCEPT, starts(BuiltInDetectors::schemeStarts),
        "\\b[A-Za-z][A-Za-z0-9+.-]{1,20}://[^\\s:/?#@\"'<>]{1,128}:([^\\s/?#@\"'<>]{1,256})@"));
    add(m, pattern("bearer_token",
        ONLY_AT_STARTS,
        Refiner.ACCEPT,
        starts(Assignments.keywordsBefore("authorization"),
            Starts.notAfterAlnumOr("_", Starts.where(Starts.needles(-1, "earer"), (t, c) -> t.charAt(c) == 'B' || t.charAt(c) == 'b'))),
        "(?i)authorization[\"']?\\s*[:=]\\s*[\"']?(?:bearer|basic|token|digest)\\s+([A-Za-z0-9._~+/=-]{6,})",
        "(?<![A-Za-z0-9_])[Bb]earer\\s+((?=[A-Za-z._~+/=-]*[0-9])[A-Za-z0-9._~+/=-]{16,})"));
    add(m, pattern("jwt", ONLY_AT_STARTS, BuiltInDetectors::jwtHeader, starts(Starts.notAfterAlnumOr("_-", Starts.needles(0, "ey"))),
        "(?<![A-Za-z0-9_-])ey[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]*"));
    add(m, pattern("aws_access_key_id", ONLY_AT_STARTS, Refiner.ACCEPT,
        starts(Starts.notAfterAlnumOr("", Starts.needles(0, "AKIA", "ASIA"))),
        "(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])"));
    add(m, pattern("aws_secret_key",
        Prefilter.ALWAYS,
        BuiltInDetectors::awsSecretNearContext,
        starts(Assignments.keywordsBefore(AWS_SECRET_KEYS), BuiltInDetectors::base64Runs40),
        "(?i)aws_?secret_?access_?key[\"']?\\s*[:=]\\s*[\"']?([A-Za-z0-9/+=]{16,})",
        "(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"));
    add(m, pattern("github_token", ONLY_AT_STARTS, Refiner.ACCEPT, starts(Starts.notAfterAlnumOr("_", Starts.needles(0, "gh", "github_pat_"))),
        "(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})(?![A-Za-z0-9_])"));
    add(m, pattern("stripe_key", ONLY_AT_STARTS, Refiner.ACCEPT,
        starts(Starts.notAfterAlnumOr("_", Starts.needles(-2, "_live_", "_test_"))),
        "(?<![A-Za-z0-9_])(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{3,247}(?![A-Za-z0-9_])"));
    add(m, new LlmApiKeyDetector());
    add(m, pattern("slack_token", ONLY_AT_STARTS, Refiner.ACCEPT,
        starts(Starts.notAfterAlnumOr("_", Starts.needles(0, "xox", "xapp-"))),
        "(?<![A-Za-z0-9_])(?:xox[abprs]-[A-Za-z0-9-]{10,}|xapp-[0-9]-[A-Za-z0-9-]{10,})"));
    add(m, pattern("google_api_key", ONLY_AT_STARTS, Refiner.ACCEPT, starts(Starts.notAfterAlnumOr("_", Starts.needles(0, "AIza"))),
        "(?<![A-Za-z0-9_])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"));
    add(m, new SecretAssignmentDetector());
    add(m, pattern("iban", (t, p) -> p.digits() >= 10, BuiltInDetectors::ibanChecksum,
        starts(Starts.notAfterAlnumOr("", BuiltInDetectors::ibanStarts)),
        "(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])"));
    add(m, new PaymentCardDetector());
    add(m, pattern("us_ssn", (t, p) -> p.digits() >= 9 && p.dash(), Refiner.ACCEPT,
        starts(Starts.digitRuns(3, 3, (t, s, e) -> e < t.length() && t.charAt(e) == '-' && (s == 0 || t.charAt(s - 1) != '-'))),
        "(?<![0-9-])(?!000|666|9[0-9]{2})[0-9]{3}-(?!00)[0-9]{2}-(?!0000)[0-9]{4}(?![0-9-])"));
    add(m, new EmailDetector());
    add(m, new PhoneDetector());
    add(m, pattern("ipv6", (t, p) -> p.colon(), BuiltInDetectors::ipv6, starts(BuiltInDetectors::ipv6Starts),
        "(?<![A-Za-z0-9:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|[0-9]{1,3}(?:\\.[0-9]{1,3}){3})?(?![A-Za-z0-9:])"));
    add(m, new Ipv4Detector());
    return java.util.Collections.unmodifiableMap(m);
  }

  private static void add(Map<String, Detector> m, Detector d) {
    m.put(d.name(), d);
  }

  private static PatternDetector pattern(String name, Prefilter pre, String... regexes) {
    return pattern(name, pre, Refiner.ACCEPT, regexes);
  }

  private static PatternDetector pattern(
      String name, Prefilter pre, Refiner refiner, String... regexes) {
    return new PatternDetector(
        name, java.util.Arrays.stream(regexes).map(Pattern::compile).toList(), pre, refiner);
  }

  /** Like the above with candidate starts, one per regex. */
  private static PatternDetector pattern(
      String name, Prefilter pre, Refiner refiner, List<Starts> starts, String... regexes) {
    return new PatternDetector(
        name, java.util.Arrays.stream(regexes).map(Pattern::compile).toList(), pre, refiner, starts);
  }

  private static List<Starts> starts(Starts... perRegex) {
    return List.of(perRegex);
  }

  /** A scheme (1 + 1..20 chars) ends right before "://". */
  private static int[] schemeStarts(String text, TextProfile profile) {
    Starts.Ints out = new Starts.Ints();
    for (int q = text.indexOf("://"); q >= 0; q = text.indexOf("://", q + 1)) {
      for (int s = Math.max(0, q - 21); s <= q - 2; s++) {
        out.add(s);
      }
    }
    return out.sortedDistinct();
  }

  /**
   * Maximal runs of [A-Za-z0-9/+=] exactly 40 long. Probes every 40th character: a run of 40 or more
   * that starts after a non-run character at {@code i} covers {@code i + 39}, so where that is no run
   * character, none starts before it.
   */
  private static int[] base64Runs40(String text, TextProfile profile) {
    Starts.Ints out = null;
    int n = text.length();
    int i = 0;
    while (i + 40 <= n) {
      int probe = i + 39;
      if (!base64(text.charAt(probe))) {
        i = probe + 1;
        continue;
      }
      int start = probe;
      while (start > i && base64(text.charAt(start - 1))) {
        start--;
      }
      int end = probe + 1;
      while (end < n && base64(text.charAt(end))) {
        end++;
      }
      if (end - start == 40) {
        out = out == null ? new Starts.Ints() : out;
        out.add(start);
      }
      i = end + 1;
    }
    return out == null ? Starts.Ints.NONE : out.toArray();
  }

  private static boolean base64(char c) {
    return Starts.alnum(c) || c == '/' || c == '+' || c == '=';
  }

  /** Two upper-case letters right before a run of at least two digits. */
  private static int[] ibanStarts(String text, TextProfile profile) {
    int[] runs = profile.digitRuns(text);
    Starts.Ints out = new Starts.Ints();
    for (int r = 0; r < runs.length; r += 2) {
      int d = runs[r];
      if (d >= 2 && runs[r + 1] - d >= 2 && upper(text.charAt(d - 1)) && upper(text.charAt(d - 2))) {
        out.add(d - 2);
      }
    }
    return out.toArray();
  }

  private static boolean upper(char c) {
    return c >= 'A' && c <= 'Z';
  }

  private static boolean hex(char c) {
    return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
  }

  /** A hex digit or ':' not after [A-Za-z0-9:.], with a ':' after at most 4 hex digits. */
  private static int[] ipv6Starts(String text, TextProfile profile) {
    Starts.Ints out = new Starts.Ints();
    int n = text.length();
    for (int p = text.indexOf(':'); p >= 0 && p < n; p = text.indexOf(':', p + 1)) {
      // candidates are the starts of the hex run (of at most 4) ending at this ':' and the ':' itself
      int s = p;
      while (s > 0 && p - s < 4 && hex(text.charAt(s - 1))) {
        s--;
      }
      for (int c = s; c <= p; c++) {
        char before = c == 0 ? ' ' : text.charAt(c - 1);
        if (!(Starts.alnum(before) || before == ':' || before == '.') && twoGroups(text, c)) {
          out.add(c);
        }
      }
    }
    return out.sortedDistinct();
  }

  /** At most 4 hex digits, ':', at most 4 hex digits, ':' from {@code c} (the regex needs two groups). */
  private static boolean twoGroups(String text, int c) {
    int i = c;
    for (int g = 0; g < 2; g++) {
      int h = 0;
      while (i < text.length() && h < 4 && hex(text.charAt(i))) {
        i++;
        h++;
      }
      if (i >= text.length() || text.charAt(i) != ':') {
        return false;
      }
      i++;
    }
    return true;
  }

  private static Prefilter literal(String needle) {
    long[] mask = TextProfile.mask(needle);
    return (text, profile) -> profile.mayContain(mask[0], mask[1]) && text.contains(needle);
  }

  /** Whether [from, to) contains the lower-case {@code needle}, ASCII case ignored. */
  private static boolean containsIgnoringAsciiCase(String text, int from, int to, String needle) {
    for (int i = from, last = to - needle.length(); i <= last; i++) {
      if (Assignments.sameIgnoringAsciiCase(text, i, needle)) {
        return true;
      }
    }
    return false;
  }

  private static int jwtHeader(String text, int start, int end) {
    int dot = text.indexOf('.', start);
    try {
      String header =
          new String(Base64.getUrlDecoder().decode(text.substring(start, dot)), StandardCharsets.UTF_8);
      return header.trim().startsWith("{") && header.contains("\"alg\"") ? end : -1;
    } catch (IllegalArgumentException e) {
      return -1;
    }
  }

  /** The 40-char form needs "aws"/"secret" within 64 chars before it and mixed case, never hex. */
  private static int awsSecretNearContext(String text, int start, int end) {
    if (end - start != 40) {
      return end;
    }
    boolean upper = false;
    boolean lower = false;
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      upper |= c >= 'A' && c <= 'Z';
      lower |= c >= 'a' && c <= 'z';
    }
    if (!upper || !lower) {
      return -1;
    }
    int from = Math.max(0, start - 64);
    boolean near = containsIgnoringAsciiCase(text, from, start, "aws") || containsIgnoringAsciiCase(text, from, start, "secret");
    return near ? end : -1;
  }

  private static int ibanChecksum(String text, int start, int end) {
    // The regex may swallow a following upper-case word ("DE89 ... 00 FOR"): retry at group ends.
    int e = end;
    while (e - start >= 15) {
      if (Checksums.iban(text.subSequence(start, e))) {
        return e;
      }
      int sp = text.lastIndexOf(' ', e - 1);
      if (sp <= start) {
        return -1;
      }
      e = sp;
    }
    return -1;
  }

  private static int ipv6(String text, int start, int end) {
    String s = text.substring(start, end);
    int dc = s.indexOf("::");
    if (dc < 0) {
      return groups(s, true) == 8 ? end : -1;
    }
    if (s.indexOf("::", dc + 1) >= 0) {
      return -1;
    }
    int left = groups(s.substring(0, dc), false);
    int right = groups(s.substring(dc + 2), true);
    return left >= 0 && right >= 0 && left + right <= 7 && left + right >= 1 ? end : -1;
  }

  /** Number of 16-bit groups in a colon-separated run (an embedded IPv4 counts 2), -1 if malformed. */
  private static int groups(String run, boolean ipv4Tail) {
    if (run.isEmpty()) {
      return 0;
    }
    String[] parts = run.split(":", -1);
    int groups = 0;
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (p.isEmpty()) {
        return -1;
      }
      if (p.indexOf('.') >= 0) {
        if (!ipv4Tail || i != parts.length - 1) {
          return -1;
        }
        groups += 2;
      } else {
        groups++;
      }
    }
    return groups;
  }

  /** Names of all built-in detectors, in priority order. */
  public static List<String> names() {
    return List.copyOf(ALL.keySet());
  }
}
