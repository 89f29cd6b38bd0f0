package io.llmtrace.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one process), started from
 * the Maven Central jars. Replication factors are 1 so that transactions and exactly_once_v2 work on
 * one node; the group rebalance delay is 0 and the internal topics are small so that tests start fast.
 */
public final class KafkaBroker extends LocalService {

  private final int port;
  private final int controllerPort;
  private final Path dataDir;

  public KafkaBroker(Path workDir, int port, int controllerPort) {
    super("kafka", workDir, Duration.ofSeconds(90));
    this.port = port;
    this.controllerPort = controllerPort;
    this.dataDir = workDir.resolve("kafka-data");
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  private Path configFile() {
    return workDir.resolve("kafka-server.properties");
  }

  @Override
  protected void prepare() throws IOException, InterruptedException {
    Files.createDirectories(dataDir);
    Properties config = new Properties();
    config.putAll(Map.ofEntries(
        Map.entry("process.roles", "broker,controller"),
        Map.entry("node.id", "1"),
        Map.entry("controller.quorum.voters", "1@127.0.0.1:" + controllerPort),
        Map.entry("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort),
        Map.entry("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port),
        Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
        Map.entry("controller.listener.names", "CONTROLLER"),
        Map.entry("inter.broker.listener.name", "PLAINTEXT"),
        Map.entry("log.dirs", dataDir.toString()),
        Map.entry("num.partitions", "1"),
        Map.entry("auto.create.topics.enable", "false"),
        Map.entry("offsets.topic.replication.factor", "1"),
        Map.entry("offsets.topic.num.partitions", "5"),
        Map.entry("transaction.state.log.replication.factor", "1"),
        Map.entry("transaction.state.log.min.isr", "1"),
        Map.entry("transaction.state.log.num.partitions", "5"),
        Map.entry("share.coordinator.state.topic.replication.factor", "1"),
        Map.entry("share.coordinator.state.topic.min.isr", "1"),
        Map.entry("min.insync.replicas", "1"),
        Map.entry("group.initial.rebalance.delay.ms", "0"),
        Map.entry("log.segment.bytes", Integer.toString(64 * 1024 * 1024)),
        Map.entry("log.retention.hours", "24")));
    try (var out = Files.newBufferedWriter(configFile())) {
      config.store(out, "written by the llmtrace local stack");
    }
    Files.writeString(workDir.resolve("kafka-log4j2.properties"), String.join("\n",
        "status = warn",
        "appender.out.type = Console",
        "appender.out.name = OUT",
        "appender.out.layout.type = PatternLayout",
        "appender.out.layout.pattern = [%d] %p %m (%c)%n",
        "rootLogger.level = INFO",
        "rootLogger.appenderRef.out.ref = OUT",
        "logger.state.name = state.change.logger",
        "logger.state.level = WARN",
        "logger.cleaner.name = kafka.log.LogCleaner",
        "logger.cleaner.level = WARN",
        ""));
    if (!Files.exists(dataDir.resolve("meta.properties"))) {
      // Formatting is once per data directory; a restart keeps topics and offsets.
      StackFiles.run(workDir, 120, javaBinary(), "-Xmx256m", "-cp", StackFiles.kafkaClasspath(),
          "-Dlog4j2.configurationFile=" + workDir.resolve("kafka-log4j2.properties"),
          "kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c", configFile().toString());
    }
  }

  @Override
  protected List<String> command() {
    String classpath = StackFiles.kafkaClasspath() + java.io.File.pathSeparator + StackFiles.classpathOf(ParentWatch.class);
    return childJvm(name(), "768m",
        List.of("-Dlog4j2.configurationFile=" + workDir.resolve("kafka-log4j2.properties"), "-Djava.awt.headless=true"),
        classpath, "kafka.Kafka", List.of(configFile().toString()));
  }

  @Override
  public Health health() {
    // A plain TCP probe first: an admin client pointed at a closed port logs a warning per retry.
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
    } catch (IOException e) {
      return Health.down(name(), bootstrapServers() + ": not listening");
    }
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "200");
    try (Admin admin = Admin.create(props)) {
      int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000)).nodes().get(4, TimeUnit.SECONDS).size();
      return nodes > 0 ? Health.up(name(), bootstrapServers() + " (" + nodes + " broker)") : Health.down(name(), "no brokers");
    } catch (Exception e) {
      return Health.down(name(), bootstrapServers() + ": " + e.getClass().getSimpleName());
    }
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
