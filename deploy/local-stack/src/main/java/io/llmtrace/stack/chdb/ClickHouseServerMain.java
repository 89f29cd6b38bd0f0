package io.llmtrace.stack.chdb;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Process entry point of the embedded ClickHouse endpoint:
 * {@code --lib <libchdb.so> --data <dir> --port <n> [--host 127.0.0.1] [--user u --password p]}.
 * The local stack starts it as a child JVM so that the engine's memory and threads stay out of the
 * processes under test, and so that it can be stopped and restarted like a real server.
 */
public final class ClickHouseServerMain {

  private ClickHouseServerMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = parse(args);
    Path lib = Path.of(required(options, "lib"));
    Path data = Path.of(required(options, "data"));
    int port = Integer.parseInt(required(options, "port"));
    String host = options.getOrDefault("host", "127.0.0.1");
    ClickHouseHttpServer.Credentials credentials = options.containsKey("user")
        ? new ClickHouseHttpServer.Credentials(options.get("user"), options.getOrDefault("password", ""))
        : null;
    ChdbEngine engine = ChdbEngine.open(lib, data.resolve("engine"));
    ClickHouseHttpServer server = new ClickHouseHttpServer(engine, new InetSocketAddress(host, port), data.resolve("spool"), credentials);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      engine.close();
      stopped.countDown();
    }, "clickhouse-shutdown"));
    server.start();
    System.out.println("clickhouse http listening on " + host + ":" + server.port());
    stopped.await();
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got: " + String.join(" ", args));
      }
      options.put(args[i].substring(2), args[++i]);
    }
    return options;
  }

  private static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null) {
      throw new IllegalArgumentException("missing required option --" + name);
    }
    return value;
  }
}
