package io.llmtrace.processors.alert.forward;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A webhook receiver for Alertmanager in the test JVM: records every notification Alertmanager sends it and
 * answers 200 (anything else would make Alertmanager retry, and the test count retries as notifications).
 */
final class AlertmanagerWebhook implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** The parts of Alertmanager's webhook payload (version 4) the tests look at. */
  record Notification(String status, String receiver, Map<String, String> groupLabels, List<Alert> alerts) {}

  record Alert(String status, Map<String, String> labels, Map<String, String> annotations, String startsAt, String endsAt) {}

  private final HttpServer server;
  private final List<Notification> received = new CopyOnWriteArrayList<>();

  private AlertmanagerWebhook(HttpServer server) {
    this.server = server;
  }

  static AlertmanagerWebhook start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    AlertmanagerWebhook webhook = new AlertmanagerWebhook(server);
    server.createContext("/hook", exchange -> {
      try (InputStream body = exchange.getRequestBody()) {
        webhook.received.add(JSON.readValue(body, Notification.class));
        exchange.sendResponseHeaders(200, -1);
      } catch (IOException e) {
        exchange.sendResponseHeaders(400, -1);
      } finally {
        exchange.close();
      }
    });
    server.start();
    return webhook;
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  List<Notification> notifications() {
    return List.copyOf(received);
  }

  /** Alerts of episode {@code episode} with status {@code status} across all notifications so far. */
  List<Alert> alerts(String episode, String status) {
    return received.stream().flatMap(n -> n.alerts().stream())
        .filter(a -> episode.equals(a.labels().get(AlertmanagerMapping.EPISODE)) && status.equals(a.status()))
        .toList();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
