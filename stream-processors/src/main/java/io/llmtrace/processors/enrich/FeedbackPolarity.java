package io.llmtrace.processors.enrich;

import io.llmtrace.schemas.avro.Feedback;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a feedback entry as positive, negative or neither: thumbs (up/down and their spellings),
 * ratings on a 1-5 scale (4-5 positive, 1-2 negative), and kinds that are negative by nature (a user's
 * correction or an escalation to a human).
 */
public final class FeedbackPolarity {

  public enum Polarity { POSITIVE, NEGATIVE, NEUTRAL }

  private static final Set<String> POSITIVE = Set.of("up", "thumbs_up", "thumbsup", "+1", "positive", "like", "yes", "good",
      "true", "1");
  private static final Set<String> NEGATIVE = Set.of("down", "thumbs_down", "thumbsdown", "-1", "negative", "dislike", "no",
      "bad", "false", "0");
  private static final Set<String> NEGATIVE_KINDS = Set.of("correction", "escalation", "complaint", "report");

  private FeedbackPolarity() {}

  public static Polarity of(Feedback feedback) {
    String kind = feedback.getKind() == null ? "" : feedback.getKind().strip().toLowerCase(Locale.ROOT);
    if (NEGATIVE_KINDS.contains(kind)) {
      return Polarity.NEGATIVE;
    }
    String value = feedback.getValue() == null ? "" : feedback.getValue().strip().toLowerCase(Locale.ROOT);
    if (kind.equals("rating") || kind.equals("score") || kind.equals("stars")) {
      try {
        double rating = Double.parseDouble(value);
        return rating >= 4 ? Polarity.POSITIVE : rating <= 2 ? Polarity.NEGATIVE : Polarity.NEUTRAL;
      } catch (NumberFormatException e) {
        return Polarity.NEUTRAL;
      }
    }
    if (POSITIVE.contains(value)) {
      return Polarity.POSITIVE;
    }
    if (NEGATIVE.contains(value)) {
      return Polarity.NEGATIVE;
    }
    return Polarity.NEUTRAL;
  }
}
