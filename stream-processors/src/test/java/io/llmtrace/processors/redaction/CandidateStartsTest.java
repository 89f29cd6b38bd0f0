package io.llmtrace.processors.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Candidate starts are only an optimisation: every built-in pattern detector must find exactly what
 * the same regexes find with a plain {@code Matcher.find()} over the whole string.
 */
class CandidateStartsTest {

  private static final String[] FRAGMENTS = {
    " ", "  ", "\n", "a", "Z", "0", "1", "2", "7", "9", "00", "123", "555", "4111", "-", ".", ":", "::", "/", "+",
    "(", ")", "@", "_", "=", "\"", "'", "%", "\\", "ey", "eyJhbGciOiJIUzI1NiJ9", "gh", "ghp_", "github_pat_", "sk-",
    "sk_live_", "_test_", "xoxb-", "xapp-1-", "AIza", "AKIA", "ASIA", "aws", "secret", "Secret", "password",
    "PASSWORD", "pwd", "api_key", "api-key", "token", "Token", "credentials", "Bearer ", "bearer ", "Authorization: ",
    "authorization=", "://", "https://", "user:pass@", "example.com", "jane.doe", "DE89", "GB82", "WEST",
    "-----BEGIN ", "RSA ", "PRIVATE KEY-----", "-----END ", "fe80", "2001:db8", "10.0.0.1", "192.168.", "v", "version ",
    "+44 20 7946 0958", "(415) 555-0132", "030 1234567", "123-45-6789", "4111 1111 1111 1111", "abcdefABCDEF",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "acct-", "12345678", "ord-", "123456", "xacct-", "acct", "01 2345 6789", "0/12", "+49 (30) 123", "00.123456",
    "aws_secret_access_key", "AWS_SECRET_ACCESS_KEY=", "Aws_SecretAccess_KEY", "awssecretaccesskey", "=", " : ",
    "earer ", "BEARER ", "xBearer ", "AUTHORIZATION", "Authorization\"", "\u212A", "\t", "+1 ", "1-(212) ",
  };

  @Test
  void patternDetectorsFindTheSameAsPlainFindOnCorpusAndRandomText() throws Exception {
    List<String> texts = ScannerReferencesTest.corpusAndRandom(FRAGMENTS, 24, 20261122L);
    int compared = 0;
    List<Detector> detectors = new ArrayList<>(BuiltInDetectors.all().values());
    detectors.addAll(RedactionPolicy.loadDefault(RedactionPolicyTest.ENV::get).base().detectors());
    detectors.add(PolicyParser.customDetector("order_ref", java.util.regex.Pattern.compile("\\bord-[0-9]{6}\\b")));
    for (Detector detector : detectors) {
      if (!(detector instanceof PatternDetector d)) {
        continue;
      }
      PatternDetector reference = new PatternDetector(d.name(), d.patterns(), d.prefilter(), d.refiner());
      for (String t : texts) {
        List<Finding> fast = new ArrayList<>();
        List<Finding> slow = new ArrayList<>();
        d.scan(t, TextProfile.of(t), fast);
        reference.scan(t, TextProfile.of(t), slow);
        assertThat(fast).as("%s on <%s>", d.name(), t).isEqualTo(slow);
        compared += slow.size();
      }
    }
    assertThat(compared).as("findings compared").isGreaterThan(1000);
  }

  @Test
  void paymentCardsFromDigitRunsAreTheSameAsTheCharByCharScan() throws Exception {
    String[] parts = {" ", "-", "  ", "a", "4111", "1111", "5555", "4444", "2221", "0000", "12", "4", "378282246310005", "1", "2024"};
    List<String> texts = ScannerReferencesTest.corpusAndRandom(parts, 30, 7L);
    Detector fast = BuiltInDetectors.all().get(PaymentCardDetector.NAME);
    Detector reference = new PaymentCardReference();
    int found = 0;
    for (String t : texts) {
      List<Finding> a = new ArrayList<>();
      List<Finding> b = new ArrayList<>();
      fast.scan(t, TextProfile.of(t), a);
      reference.scan(t, TextProfile.of(t), b);
      assertThat(a).as("<%s>", t).isEqualTo(b);
      found += b.size();
    }
    assertThat(found).isGreaterThan(100);
  }
}
