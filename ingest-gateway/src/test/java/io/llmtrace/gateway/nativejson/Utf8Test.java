package io.llmtrace.gateway.nativejson;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Utf8Test {

  @ParameterizedTest
  @ValueSource(strings = {"", "plain ascii, longer than eight bytes", "café", "€uro", "数据", "emoji 🙂 in text",
      "\u0000\u007f\u0080\u07ff\u0800\uffff", "\ud800\udc00 \udbff\udfff"})
  void acceptsWellFormedText(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);

    assertThat(Utf8.firstInvalid(bytes, 0, bytes.length)).isEqualTo(-1);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "80",          // continuation without a lead
      "c0af",        // overlong '/'
      "c1bf",        // overlong
      "e08080",      // overlong 3-byte
      "eda080",      // UTF-16 surrogate D800
      "edbfbf",      // surrogate DFFF
      "f0808080",    // overlong 4-byte
      "f4908080",    // above U+10FFFF
      "f5808080",    // lead byte never used
      "ff",          // never valid
      "c328",        // lead then ASCII
      "e282",        // truncated at the end
      "f09f99"})     // truncated emoji
  void findsTheFirstMalformedSequenceAfterAsciiOfAnyLength(String hex) {
    byte[] bad = HexFormat.of().parseHex(hex);
    for (int prefix = 0; prefix < 20; prefix++) {
      byte[] bytes = new byte[prefix + bad.length];
      java.util.Arrays.fill(bytes, 0, prefix, (byte) 'a');
      System.arraycopy(bad, 0, bytes, prefix, bad.length);

      assertThat(Utf8.firstInvalid(bytes, 0, bytes.length)).as("after %d ASCII bytes", prefix).isEqualTo(prefix);
    }
  }

  @Test
  void checksOnlyTheGivenRange() {
    byte[] bytes = {(byte) 0xFF, 'a', 'b', (byte) 0xFF};

    assertThat(Utf8.firstInvalid(bytes, 1, 3)).isEqualTo(-1);
  }
}
