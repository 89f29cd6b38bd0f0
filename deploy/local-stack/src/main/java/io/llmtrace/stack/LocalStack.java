package io.llmtrace.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole local stack as child processes on 127.0.0.1: Kafka broker, Apicurio Registry and the
 * embedded ClickHouse endpoint, with data and logs under one work directory. The three start in
 * parallel. {@code main} is what {@code deploy/run-local.sh} runs.
 */
public final class LocalStack implements Stack {

  private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

  private final StackConfig config;
  private final KafkaBroker kafka;
  private final SchemaRegistryServer registry;
  private final ClickHouseServer clickhouse;

  public LocalStack(StackConfig config) {
    this.config = config;
    this.kafka = new KafkaBroker(config.workDir(), config.kafkaPort(), config.controllerPort());
    this.registry = new SchemaRegistryServer(config.workDir(), config.registryPort());
    this.clickhouse = new ClickHouseServer(config.workDir(), config.clickhousePort());
  }

  /** Starts all three and returns once each reports healthy; on failure stops whatever started. */
  public static LocalStack start(StackConfig config) {
    LocalStack stack = new LocalStack(config);
    try {
      Files.createDirectories(config.workDir());
      CompletableFuture.allOf(
          CompletableFuture.runAsync(stack.kafka::start),
          CompletableFuture.runAsync(stack.registry::start),
          CompletableFuture.runAsync(stack.clickhouse::start)).join();
      return stack;
    } catch (Exception e) {
      stack.close();
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException("the local stack did not start: " + cause.getMessage(), cause);
    }
  }

  public StackConfig config() {
    return config;
  }

  public KafkaBroker kafka() {
    return kafka;
  }

  public SchemaRegistryServer registry() {
    return registry;
  }

  public ClickHouseServer clickhouse() {
    return clickhouse;
  }

  @Override
  public StackEndpoints endpoints() {
    return new StackEndpoints(kafka.bootstrapServers(), registry.url(), clickhouse.url());
  }

  @Override
  public List<Health> health() {
    return List.of(kafka.health(), registry.health(), clickhouse.health());
  }

  @Override
  public void stopKafka() {
    kafka.stop();
  }

  @Override
  public void startKafka() {
    kafka.start();
  }

  @Override
  public void stopClickHouse() {
    clickhouse.stop();
  }

  @Override
  public void startClickHouse() {
    clickhouse.start();
  }

  @Override
  public void stopRegistry() {
    registry.stop();
  }

  @Override
  public void startRegistry() {
    registry.start();
  }

  @Override
  public void close() {
    for (LocalService service : List.of(clickhouse, registry, kafka)) {
      try {
        service.stop();
      } catch (RuntimeException e) {
        LOG.warn("could not stop {}", service.name(), e);
      }
    }
  }

  /**
   * {@code up}: start, print endpoints and health, run until interrupted (Ctrl-C stops everything).
   * {@code check}: start, print health, stop; exit status 0 only if every part was healthy.
   */
  public static void main(String[] args) throws InterruptedException {
    String command = args.length == 0 ? "up" : args[0];
    Path defaultWorkDir = Path.of(System.getProperty("user.dir"), ".llmtrace-local");
    long started = System.nanoTime();
    LocalStack stack = start(StackConfig.forLocalRun(defaultWorkDir));
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    List<Health> health = stack.health();
    boolean healthy = health.stream().allMatch(Health::healthy);
    StackEndpoints endpoints = stack.endpoints();
    System.out.printf("%nllmtrace local stack %s in %.1f s (work dir %s)%n",
        healthy ? "is up" : "is DEGRADED", took.toMillis() / 1000.0, stack.config.workDir());
    health.forEach(h -> System.out.println("  " + h));
    System.out.printf("%n  Kafka bootstrap     %s%n", endpoints.kafkaBootstrap());
    System.out.printf("  schema.registry.url %s%n", endpoints.schemaRegistryUrl());
    System.out.printf("  ClickHouse HTTP     %s   (JDBC: %s)%n", endpoints.clickhouseUrl(), endpoints.clickhouseJdbcUrl("default"));
    System.out.printf("%n  try:  curl '%s/?query=SELECT+version()'%n", endpoints.clickhouseUrl());
    System.out.printf("        curl %s/subjects%n", endpoints.schemaRegistryUrl());
    System.out.printf("  logs: %s/logs/%n%n", stack.config.workDir());
    if (command.equals("check")) {
      stack.close();
      System.exit(healthy ? 0 : 1);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("stopping the local stack");
      stack.close();
      stopped.countDown();
    }, "local-stack-shutdown"));
    System.out.println("running; press Ctrl-C to stop");
    stopped.await();
  }
}
