package io.llmtrace.stack;

import java.util.List;

/**
 * A running broker + registry + ClickHouse, local processes ({@link LocalStack}) or containers.
 * Tests depend on this, not on how the parts were started.
 */
public interface Stack extends AutoCloseable {

  StackEndpoints endpoints();

  /** One entry per part, healthy or not. */
  List<Health> health();

  /** Stops the broker, as an outage would; {@link #startKafka()} brings it back with its data. */
  void stopKafka();

  void startKafka();

  /** Stops the ClickHouse endpoint; {@link #startClickHouse()} brings it back with its data. */
  void stopClickHouse();

  void startClickHouse();

  /** Stops the schema registry; {@link #startRegistry()} brings it back with its schemas and their ids. */
  void stopRegistry();

  void startRegistry();

  @Override
  void close();
}
