package io.llmtrace.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the local stack lives and which ports it takes. Read with the precedence defaults &lt;
 * environment ({@code LLMTRACE_STACK_KAFKA_PORT}) &lt; system properties ({@code llmtrace.stack.kafka.port});
 * a port of 0 means "any free port", which is what tests use so that they never collide with a stack
 * started by {@code run-local.sh}.
 */
public record StackConfig(Path workDir, int kafkaPort, int controllerPort, int registryPort, int clickhousePort) {

  public static final int DEFAULT_KAFKA_PORT = 9092;
  public static final int DEFAULT_CONTROLLER_PORT = 9093;
  public static final int DEFAULT_REGISTRY_PORT = 8081;
  public static final int DEFAULT_CLICKHOUSE_PORT = 8123;

  public StackConfig {
    if (workDir == null) {
      throw new IllegalArgumentException("workDir is required");
    }
    workDir = workDir.toAbsolutePath().normalize();
    kafkaPort = orFree(kafkaPort);
    controllerPort = orFree(controllerPort);
    registryPort = orFree(registryPort);
    clickhousePort = orFree(clickhousePort);
  }

  /** The well-known ports, for a stack people connect to by hand. */
  public static StackConfig forLocalRun(Path defaultWorkDir) {
    return read(defaultWorkDir, DEFAULT_KAFKA_PORT, DEFAULT_CONTROLLER_PORT, DEFAULT_REGISTRY_PORT, DEFAULT_CLICKHOUSE_PORT);
  }

  /** Free ports, for test JVMs. */
  public static StackConfig forTests(Path defaultWorkDir) {
    return read(defaultWorkDir, 0, 0, 0, 0);
  }

  private static StackConfig read(Path defaultWorkDir, int kafka, int controller, int registry, int clickhouse) {
    return new StackConfig(
        Path.of(setting("llmtrace.stack.workdir", defaultWorkDir.toString())),
        port("llmtrace.stack.kafka.port", kafka),
        port("llmtrace.stack.kafka.controller.port", controller),
        port("llmtrace.stack.registry.port", registry),
        port("llmtrace.stack.clickhouse.port", clickhouse));
  }

  static String setting(String key, String defaultValue) {
    String env = System.getenv(key.toUpperCase(Locale.ROOT).replace('.', '_'));
    return System.getProperty(key, env != null && !env.isBlank() ? env : defaultValue);
  }

  private static int port(String key, int defaultValue) {
    String value = setting(key, Integer.toString(defaultValue)).strip();
    try {
      int port = Integer.parseInt(value);
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a port number 0-65535 (0 = any free port), got '" + value + "'");
    }
  }

  /** {@code port}, or a free port on 127.0.0.1 when it is 0. */
  static int orFree(int port) {
    if (port != 0) {
      return port;
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }
}
