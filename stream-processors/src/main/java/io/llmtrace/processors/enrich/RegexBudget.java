package io.llmtrace.processors.enrich;

import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import com.networknt.schema.regex.RegularExpressions;
import java.util.regex.Pattern;

/**
 * JSON Schema {@code pattern}s (and {@code patternProperties}) as JDK regexes that give up when the
 * current thread's deadline passes. Both the pattern and the text come from the span, so a pattern that
 * backtracks catastrophically ({@code (a+)+$} on a long line of {@code a}s) would otherwise stall the stage
 * on one record. The JDK matcher cannot be interrupted, but it reads its input through
 * {@link CharSequence#charAt}, which is where the deadline is checked.
 */
final class RegexBudget implements RegularExpressionFactory {

  static final RegexBudget INSTANCE = new RegexBudget();

  /** Checking the clock on every character would cost more than most matches. */
  private static final int CHARS_PER_CLOCK_READ = 4_096;
  /** No deadline: System.nanoTime() may be any long, so "none" is a marker, not a far-away time. */
  private static final long NONE = Long.MIN_VALUE;
  private static final ThreadLocal<long[]> DEADLINE = ThreadLocal.withInitial(() -> new long[] {NONE});

  private RegexBudget() {}

  /** Thrown into the validator's stack when the budget is spent; the check counts as not run. */
  static final class Exhausted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Exhausted() {
      super("regular expression time budget exhausted", null, false, false);
    }
  }

  /** Matches on this thread give up {@code nanos} from now, until {@link #clear()}. */
  static void start(long nanos) {
    DEADLINE.get()[0] = System.nanoTime() + nanos;
  }

  static void clear() {
    DEADLINE.get()[0] = NONE;
  }

  @Override
  public RegularExpression getRegularExpression(String regex) {
    // The same rewriting as the library's JDK factory: ECMA-262 '$' and \p{Letter}-style classes
    Pattern pattern = Pattern.compile(
        RegularExpressions.replaceLongformCharacterProperties(RegularExpressions.replaceDollarAnchors(regex)));
    return value -> pattern.matcher(new Timed(value, DEADLINE.get()[0])).find();
  }

  /** The text, read by the matcher one character at a time, with the clock read every few thousand. */
  private static final class Timed implements CharSequence {
    private final String text;
    private final long deadline;
    private int reads;

    Timed(String text, long deadline) {
      this.text = text;
      this.deadline = deadline;
    }

    @Override
    public char charAt(int index) {
      if (++reads == CHARS_PER_CLOCK_READ) {
        reads = 0;
        if (deadline != NONE && System.nanoTime() - deadline > 0) {
          throw new Exhausted();
        }
      }
      return text.charAt(index);
    }

    @Override
    public int length() {
      return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return text.subSequence(start, end);
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
