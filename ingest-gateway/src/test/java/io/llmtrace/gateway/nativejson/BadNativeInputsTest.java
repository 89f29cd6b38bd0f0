package io.llmtrace.gateway.nativejson;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.llmtrace.gateway.intake.DecodedBatch;
import io.llmtrace.gateway.intake.IntakeLimits;
import io.llmtrace.gateway.intake.InvalidRequestException;
import io.llmtrace.gateway.intake.SpanIntake;
import io.llmtrace.gateway.nativejson.BadNativeInputs.BadInput;
import io.llmtrace.schemas.testing.TestSpans;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BadNativeInputsTest {

  private static final Instant NOW = TestSpans.START.plusSeconds(60);
  private final NativeSpanDecoder decoder =
      new NativeSpanDecoder(new SpanIntake(IntakeLimits.defaults(), Clock.fixed(NOW, ZoneOffset.UTC)));

  static List<BadInput> cases() {
    return BadNativeInputs.cases(NOW);
  }

  @Test
  void tableIsLargeAndNamesAreUnique() {
    assertThat(cases()).hasSizeGreaterThanOrEqualTo(35);
    assertThat(cases()).extracting(BadInput::name).doesNotHaveDuplicates();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decoderAnswersAsTheTableSays(BadInput input) {
    if (input.expectedCode().equals(BadNativeInputs.ALL_REJECTED)) {
      DecodedBatch batch = decoder.decode(input.body());
      assertThat(batch.accepted()).isEmpty();
      assertThat(batch.rejected()).singleElement()
          .satisfies(r -> assertThat(r.index()).isZero())
          .extracting(BadNativeInputs::rejectionText).asString()
          .contains(input.expectedMessageFragment());
    } else {
      InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class, () -> decoder.decode(input.body()));
      assertThat(e).as("decoding %s should fail as a whole", input.name()).isNotNull();
      assertThat(e.code()).isEqualTo(input.expectedCode());
      assertThat(e.status()).isEqualTo(input.expectedStatus());
      assertThat(e.getMessage()).contains(input.expectedMessageFragment());
    }
  }

  @Test
  void baselineOfThePerSpanCasesIsAccepted() {
    // Each per-span case differs from this body by the one member it names, so this must pass.
    assertThat(decoder.decode(BadNativeInputs.validBody(NOW)).accepted()).hasSize(1);
  }
}
