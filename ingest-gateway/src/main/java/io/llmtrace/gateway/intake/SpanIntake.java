package io.llmtrace.gateway.intake;

import io.llmtrace.schemas.avro.LlmSpan;
import java.time.Clock;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The checks both decoders run on each span they produced: truncate over-long text, then validate.
 * Protocol decoders call {@link #admit} with the span's position and path prefix so that the
 * rejection names the field the way the caller wrote it.
 */
public final class SpanIntake {

  private final IntakeLimits limits;
  private final Truncator truncator;
  private final SpanValidator validator;
  private final Clock clock;

  public SpanIntake(IntakeLimits limits, Clock clock) {
    this.limits = limits;
    this.truncator = new Truncator(limits.maxTextChars());
    this.validator = new SpanValidator(limits);
    this.clock = clock;
  }

  public IntakeLimits limits() {
    return limits;
  }

  /**
   * Truncates {@code span} in place and validates it.
   *
   * @param fieldName maps a violated LlmSpan field ({@code start_time}) to the caller's name for it
   *     ({@code startTimeUnixNano} in OTLP); identity for native spans
   * @return a rejection naming {@code pathPrefix + "." + fieldName(field)}, or empty if the span is good
   */
  public Optional<Rejection> admit(LlmSpan span, int index, String pathPrefix, UnaryOperator<String> fieldName) {
    return admit(span, index, pathPrefix, fieldName, Long.MAX_VALUE);
  }

  /**
   * As {@link #admit(LlmSpan, int, String, UnaryOperator)}, for a decoder that knows no string of the span
   * can be longer than {@code longestText} characters (a JSON span of n bytes holds no string of more
   * than n characters): the truncation walk is skipped when that is within the limit.
   */
  public Optional<Rejection> admit(LlmSpan span, int index, String pathPrefix, UnaryOperator<String> fieldName, long longestText) {
    if (longestText > limits.maxTextChars()) {
      truncator.truncate(span);
    }
    return validator.validate(span, clock.instant())
        .map(v -> new Rejection(index, pathPrefix + "." + fieldName.apply(v.field()), v.reason()));
  }
}
