package io.llmtrace.processors.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The profile's character gates only skip work: whenever a needle occurs, the gate must let it
 * through; its digit runs and digit count are exact.
 */
class TextProfileTest {

  private static final String[] NEEDLES = {"key", "aws", "token", "sk-", "AKIA", "-----BEGIN ", "://", "ey", "_live_", "@"};
  private static final Pattern DIGIT_RUN = Pattern.compile("[0-9]+");
  private static final String CHARS = "keyKEYawsAWStokenTOKENsSkK-_:/@ BEGIN07\u212A\u0130\u00e9\u017f\u1e9e";

  @Test
  void aNeedleThatOccursIsNeverRuledOut() {
    Random rnd = new Random(11L);
    int occurrences = 0;
    for (int i = 0; i < 50_000; i++) {
      StringBuilder sb = new StringBuilder();
      for (int k = rnd.nextInt(24); k >= 0; k--) {
        sb.append(rnd.nextInt(8) == 0 ? NEEDLES[rnd.nextInt(NEEDLES.length)] : String.valueOf(CHARS.charAt(rnd.nextInt(CHARS.length()))));
      }
      String text = sb.toString();
      TextProfile p = TextProfile.of(text);
      for (String needle : NEEDLES) {
        long[] m = TextProfile.mask(needle);
        if (text.contains(needle)) {
          occurrences++;
          assertThat(p.mayContain(m[0], m[1])).as("%s in <%s>", needle, text).isTrue();
        }
      }
      List<Integer> runs = new ArrayList<>();
      for (Matcher m = DIGIT_RUN.matcher(text); m.find(); ) {
        runs.add(m.start());
        runs.add(m.end());
      }
      assertThat(p.digitRuns(text)).as("<%s>", text).containsExactly(runs.stream().mapToInt(Integer::intValue).toArray());
      int digits = (int) text.chars().filter(c -> c >= '0' && c <= '9').count();
      assertThat(p.digits()).isEqualTo(digits);
      // "maybe" is allowed only for long strings
      boolean exact = text.length() <= TextProfile.SHORT;
      assertThat(p.at()).isEqualTo(text.indexOf('@') >= 0 || !exact && p.at());
      assertThat(p.colon()).isEqualTo(text.indexOf(':') >= 0 || !exact && p.colon());
      assertThat(p.dash()).isEqualTo(text.indexOf('-') >= 0 || !exact && p.dash());
    }
    assertThat(occurrences).isGreaterThan(10_000);
  }
}
