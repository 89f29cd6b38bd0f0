package io.llmtrace.gateway.http;

import io.llmtrace.gateway.intake.Rejection;
import io.llmtrace.gateway.metrics.GatewayMetrics;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;

/**
 * One request in flight: where to answer, in which protocol, on which event loop. Every answer of the
 * intake endpoints goes through here, so all of them count in {@code llmtrace_gateway_requests_total}
 * and share one error shape per protocol.
 */
final class Exchange {

  static final String RETRY_AFTER_SECONDS = "5";

  final HttpServerRequest request;
  final String endpoint;
  final Context context;
  private final GatewayMetrics metrics;
  Protocol protocol;

  Exchange(HttpServerRequest request, String endpoint, Protocol protocol, GatewayMetrics metrics) {
    this.request = request;
    this.endpoint = endpoint;
    this.protocol = protocol;
    this.metrics = metrics;
    this.context = Vertx.currentContext();
  }

  void succeed(int accepted, List<Rejection> rejected) {
    int status = rejected.isEmpty() || protocol.isOtlp() ? 200 : 207;
    byte[] body = protocol.isOtlp() ? Responses.otlpSuccess(protocol, rejected) : Responses.nativeSuccess(accepted, rejected);
    send(status, body);
  }

  void fail(int status, String code, String message) {
    fail(status, code, message, List.of());
  }

  void fail(int status, String code, String message, List<Rejection> rejected) {
    byte[] body = protocol.isOtlp()
        ? Responses.otlpStatus(protocol, Responses.grpcCode(status), code, message)
        : Responses.nativeError(code, message, rejected);
    if (!request.isEnded()) {
      // Answered before the body was read: close rather than drain a body we refused.
      request.response().putHeader("Connection", "close");
    }
    send(status, body);
  }

  /** 503 with Retry-After: Kafka refused, was too slow or did not acknowledge; the caller must retry. */
  void unavailable(String message) {
    request.response().putHeader("Retry-After", RETRY_AFTER_SECONDS);
    fail(503, "unavailable", message + "; nothing of this request is guaranteed stored, retry it");
  }

  /** The innermost cause, named: "TimeoutException: Expiring 1 record(s) ...". */
  static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }

  void send(int status, byte[] body) {
    metrics.request(endpoint, status);
    HttpServerResponse response = request.response();
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(status).putHeader("Content-Type", protocol.contentType).end(Buffer.buffer(body));
  }
}
