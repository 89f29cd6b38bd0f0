package io.llmtrace.stack.junit;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Names that are unique per test and still say which test made them, so that tests sharing one broker
 * and one ClickHouse never see each other's topics, groups or tables (Kafka's {@code safeUniqueTestName}).
 */
public final class TestNames {

  private final String base;
  private final String suffix;

  TestNames(String base) {
    this.base = base;
    this.suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
  }

  static TestNames of(ExtensionContext context) {
    String method = context.getTestMethod().map(m -> "." + m.getName()).orElse("");
    return new TestNames(context.getRequiredTestClass().getSimpleName() + method);
  }

  /** A topic name: {@code Class.method.role.suffix} (Kafka allows [a-zA-Z0-9._-], 249 chars). */
  public String topic(String role) {
    return trim((base + "." + role).replaceAll("[^a-zA-Z0-9._-]", "_"), 240) + "." + suffix;
  }

  /** A consumer group / transactional id prefix, unique like {@link #topic}. */
  public String group(String role) {
    return topic(role);
  }

  /** A ClickHouse table or database name: lower snake case, unique per test. */
  public String table(String role) {
    String snake = (base + "_" + role)
        .replaceAll("([a-z0-9])([A-Z])", "$1_$2")
        .replaceAll("[^A-Za-z0-9_]", "_")
        .toLowerCase(Locale.ROOT);
    return trim(snake, 180) + "_" + suffix;
  }

  private static String trim(String value, int max) {
    return value.length() <= max ? value : value.substring(0, max);
  }
}
