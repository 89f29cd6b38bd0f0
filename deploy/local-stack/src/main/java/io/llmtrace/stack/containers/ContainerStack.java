package io.llmtrace.stack.containers;

import io.llmtrace.stack.Health;
import io.llmtrace.stack.Stack;
import io.llmtrace.stack.StackEndpoints;
import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The same stack from container images, for machines with a Docker engine ({@code -Dstack=containers}):
 * Apache Kafka, a real ClickHouse server and Apicurio Registry. The build machines of this project
 * have no Docker engine, so this path is not exercised by CI; it is kept deliberately small, and the
 * images are pinned to the versions the local processes run.
 */
public final class ContainerStack implements Stack {

  private final KafkaContainer kafka;
  private final GenericContainer<?> clickhouse;
  private final GenericContainer<?> registry;

  private ContainerStack(KafkaContainer kafka, GenericContainer<?> clickhouse, GenericContainer<?> registry) {
    this.kafka = kafka;
    this.clickhouse = clickhouse;
    this.registry = registry;
  }

  public static ContainerStack start() {
    KafkaContainer kafka = new KafkaContainer(DockerImageName.parse("apache/kafka:4.1.1"));
    GenericContainer<?> clickhouse = new GenericContainer<>(DockerImageName.parse("clickhouse/clickhouse-server:26.7"))
        .withEnv("CLICKHOUSE_SKIP_USER_SETUP", "1")
        .withExposedPorts(8123)
        .waitingFor(Wait.forHttp("/ping").forPort(8123));
    GenericContainer<?> registry = new GenericContainer<>(DockerImageName.parse("apicurio/apicurio-registry-mem:2.6.13.Final"))
        .withExposedPorts(8080)
        .waitingFor(Wait.forHttp("/apis/ccompat/v7/subjects").forPort(8080));
    kafka.start();
    clickhouse.start();
    registry.start();
    return new ContainerStack(kafka, clickhouse, registry);
  }

  @Override
  public StackEndpoints endpoints() {
    return new StackEndpoints(kafka.getBootstrapServers(),
        "http://" + registry.getHost() + ":" + registry.getMappedPort(8080) + "/apis/ccompat/v7",
        "http://" + clickhouse.getHost() + ":" + clickhouse.getMappedPort(8123));
  }

  @Override
  public List<Health> health() {
    return List.of(
        new Health("kafka", kafka.isRunning(), kafka.getBootstrapServers()),
        new Health("registry", registry.isRunning(), registry.getContainerName()),
        new Health("clickhouse", clickhouse.isRunning(), clickhouse.getContainerName()));
  }

  @Override
  public void stopKafka() {
    pause(kafka);
  }

  @Override
  public void startKafka() {
    unpause(kafka);
  }

  @Override
  public void stopClickHouse() {
    pause(clickhouse);
  }

  @Override
  public void startClickHouse() {
    unpause(clickhouse);
  }

  @Override
  public void stopRegistry() {
    pause(registry);
  }

  @Override
  public void startRegistry() {
    unpause(registry);
  }

  /** Paused, not stopped: the container keeps its state, as a process restart with its data dir would. */
  private static void pause(GenericContainer<?> container) {
    container.getDockerClient().pauseContainerCmd(container.getContainerId()).exec();
  }

  private static void unpause(GenericContainer<?> container) {
    container.getDockerClient().unpauseContainerCmd(container.getContainerId()).exec();
  }

  @Override
  public void close() {
    registry.stop();
    clickhouse.stop();
    kafka.stop();
  }
}
