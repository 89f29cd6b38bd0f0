package io.llmtrace.gateway.nativejson;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Rfc3339Test {

  @ParameterizedTest
  @ValueSource(strings = {
      "2026-06-04T14:12:00Z",
      "2026-06-04T14:12:00.1Z",
      "2026-06-04T14:12:00.123456Z",
      "2026-06-04T14:12:00.123456789Z",
      "2026-06-04T16:12:00.5+02:00",
      "2026-06-04T09:42:00-04:30",
      "2024-02-29T23:59:59.999999Z",
      "1999-12-31T23:59:59+14:00",
      "0001-01-01T00:00:00Z",
      "9999-12-31T23:59:59.999999Z"})
  void agreesWithJavaTimeTruncatedToMicros(String text) {
    Instant instant = OffsetDateTime.parse(text).toInstant();
    long expected = instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;

    assertThat(Rfc3339.toEpochMicros(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"2026-06-04t14:12:00z", "2026-06-04 14:12:00Z"})
  void acceptsTheSpellingsRfc3339Allows(String text) {
    assertThat(Rfc3339.toEpochMicros(text)).isEqualTo(Rfc3339.toEpochMicros("2026-06-04T14:12:00Z"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"2016-12-31T23:59:60Z"})
  void leapSecondReadsAsTheSecondBefore(String text) {
    assertThat(Rfc3339.toEpochMicros(text)).isEqualTo(Rfc3339.toEpochMicros("2016-12-31T23:59:59Z"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "yesterday", "2026-06-04", "2026-06-04T14:12:00", "2026-06-04T14:12Z", "2026-06-04T14:12:00.Z",
      "2026-02-29T00:00:00Z", "2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z",
      "2026-00-01T00:00:00Z", "2026-06-00T00:00:00Z", "2026-06-04T24:00:00Z", "2026-06-04T14:60:00Z",
      "2026-06-04T14:12:61Z", "2026-06-04T14:12:00+2:00", "2026-06-04T14:12:00+24:00", "2026-06-04T14:12:00+02:60",
      "2026-06-04T14:12:00+0200", "2026-06-04T14:12:00Zjunk", "2026-06-04X14:12:00Z", "+2026-06-04T14:12:00Z",
      "2026-06-04T14:12:00.12a456Z", "２０２６-06-04T14:12:00Z", "1780582320123456"})
  void rejectsWhatIsNotAnRfc3339DateTime(String text) {
    assertThat(Rfc3339.toEpochMicros(text)).isEqualTo(Rfc3339.INVALID);
  }
}
