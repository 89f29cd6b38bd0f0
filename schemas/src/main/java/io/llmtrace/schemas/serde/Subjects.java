package io.llmtrace.schemas.serde;

/**
 * Subject naming of the serde: Confluent's default TopicNameStrategy, {@code <topic>-value} for
 * record values and {@code <topic>-key} for keys. Public so tests and tools name subjects the same way.
 */
public final class Subjects {

  private Subjects() {}

  /** The subject under which records of {@code topic} register their schema. */
  public static String topicName(String topic, boolean isKey) {
    return topic + (isKey ? "-key" : "-value");
  }
}
