package io.llmtrace.processors.alert.forward;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts alerts to {@code /api/v2/alerts} of every configured Alertmanager, as Prometheus does: the instances
 * of an Alertmanager cluster each need every alert (they agree among themselves who notifies), and the alerts
 * count as delivered once one of them took them. An instance that is down is counted and logged, and gets the
 * alerts again with the next re-post.
 */
public final class AlertmanagerClient implements AlertSink {

  private static final Logger LOG = LoggerFactory.getLogger(AlertmanagerClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String ALERTS_PATH = "/api/v2/alerts";

  private final List<URI> endpoints;
  private final Duration requestTimeout;
  private final HttpClient http;
  private final ForwarderMeters meters;

  public AlertmanagerClient(List<URI> alertmanagers, Duration requestTimeout, ForwarderMeters meters) {
    if (alertmanagers.isEmpty()) {
      throw new IllegalArgumentException("at least one Alertmanager URL is needed");
    }
    this.endpoints = alertmanagers.stream().map(url -> URI.create(url.toString().replaceAll("/+$", "") + ALERTS_PATH)).toList();
    this.requestTimeout = requestTimeout;
    this.meters = meters;
    this.http = HttpClient.newBuilder().connectTimeout(requestTimeout).build();
  }

  /** The request body: a JSON array of alerts. */
  static byte[] body(List<PostableAlert> alerts) {
    try {
      return JSON.writeValueAsBytes(alerts);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write alerts as JSON", e);
    }
  }

  @Override
  public PostOutcome post(List<PostableAlert> alerts) {
    byte[] body = body(alerts);
    List<CompletableFuture<PostOutcome>> calls = new ArrayList<>();
    for (URI endpoint : endpoints) {
      HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(requestTimeout)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
      calls.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
          .handle((response, error) -> outcome(endpoint, response, error)));
    }
    List<PostOutcome> outcomes = calls.stream().map(CompletableFuture::join).toList();
    outcomes.forEach(meters::posted);
    return combine(outcomes);
  }

  /** Delivered if any instance took them; else retriable if any instance was unavailable; else rejected. */
  static PostOutcome combine(List<PostOutcome> outcomes) {
    PostOutcome rejected = null;
    PostOutcome unavailable = null;
    for (PostOutcome outcome : outcomes) {
      if (outcome instanceof PostOutcome.Delivered) {
        return outcome;
      } else if (outcome instanceof PostOutcome.Unavailable) {
        unavailable = unavailable == null ? outcome : unavailable;
      } else {
        rejected = rejected == null ? outcome : rejected;
      }
    }
    return unavailable != null ? unavailable : rejected;
  }

  private static PostOutcome outcome(URI endpoint, HttpResponse<String> response, Throwable error) {
    if (error != null) {
      Throwable cause = error.getCause() != null ? error.getCause() : error;
      LOG.warn("Alertmanager {} unreachable: {}", endpoint, cause.toString());
      return new PostOutcome.Unavailable(endpoint + ": " + cause);
    }
    int status = response.statusCode();
    if (status / 100 == 2) {
      return new PostOutcome.Delivered();
    }
    if (status >= 500 || status == 408 || status == 429) {
      LOG.warn("Alertmanager {} answered HTTP {}", endpoint, status);
      return new PostOutcome.Unavailable(endpoint + " answered HTTP " + status);
    }
    // The answer can quote label values: DEBUG only.
    LOG.debug("Alertmanager {} rejected alerts with HTTP {}: {}", endpoint, status, response.body());
    return new PostOutcome.Rejected(status, endpoint + " answered HTTP " + status);
  }
}
