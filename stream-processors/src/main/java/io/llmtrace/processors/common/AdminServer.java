package io.llmtrace.processors.common;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * {@code GET /metrics} (Prometheus text) and {@code GET /health} (JSON; 200 while the application is
 * running or rebalancing, 503 otherwise), as the gateway and the sink serve them. The JDK's HTTP server:
 * two endpoints scraped every few seconds need no framework. Public for the apps that are not Kafka Streams
 * (the Alertmanager forwarder), which report their health as a {@link Status}.
 */
public final class AdminServer implements AutoCloseable {

  /** A health report: {@code up} decides 200 or 503, {@code json} is the body. */
  public record Status(boolean up, String json) {}

  private final HttpServer server;

  private AdminServer(HttpServer server) {
    this.server = server;
  }

  static AdminServer start(String host, int port, Supplier<String> metrics, Supplier<StreamsHealth> health) {
    return serve(host, port, metrics, () -> {
      StreamsHealth report = health.get();
      return new Status(report.up(), report.toJson());
    });
  }

  public static AdminServer serve(String host, int port, Supplier<String> metrics, Supplier<Status> health) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
      server.createContext("/metrics", exchange -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
      server.createContext("/health", exchange -> {
        Status report = health.get();
        respond(exchange, report.up() ? 200 : 503, "application/json", report.json());
      });
      server.start();
      return new AdminServer(server);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + host + ":" + port + " (the app's admin.port setting)", e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
