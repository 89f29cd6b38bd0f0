package io.llmtrace.gateway.http;

import io.llmtrace.gateway.auth.ApiKeys;
import io.llmtrace.gateway.auth.RateLimiter;
import io.llmtrace.gateway.intake.SpanDecoder;
import io.llmtrace.gateway.metrics.GatewayMetrics;
import io.llmtrace.gateway.publish.KafkaPublisher;
import io.llmtrace.gateway.publish.Topic;
import io.llmtrace.gateway.release.ReleaseIntake;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.ReleaseMarker;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The gateway's HTTP server (Vert.x on Netty): one server instance per event loop sharing the port.
 * Routes the two span intake endpoints to {@link IntakeHandler} and release markers to
 * {@link ReleaseHandler}, and serves {@code /healthz} (process up),
 * {@code /readyz} (Kafka and the schema registry reachable) and {@code /metrics} (Prometheus).
 */
public final class GatewayServer implements AutoCloseable {

  /** What the server needs besides its port: built by the composition root. */
  public record Parts(ApiKeys keys, int defaultSpansPerSecond, long maxBodyBytes, SpanDecoder nativeDecoder, SpanDecoder otlpProtobufDecoder, SpanDecoder otlpJsonDecoder,
      ReleaseIntake releaseIntake, KafkaPublisher publisher, Topic<LlmSpan> spans, Topic<ReleaseMarker> releases,
      GatewayMetrics metrics, Supplier<Readiness> readiness) {}

  /** The outcome of a readiness probe; {@code detail} names each dependency and its state. */
  public record Readiness(boolean ready, Map<String, String> detail) {}

  private final Vertx vertx;
  private final int port;

  private GatewayServer(Vertx vertx, int port) {
    this.vertx = vertx;
    this.port = port;
  }

  /** Starts listening; returns once every event loop's server is bound. */
  public static GatewayServer start(String host, int port, int eventLoops, Parts parts) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops).setWorkerPoolSize(4));
    // One limiter: a key's release markers draw on the same per-key budget as its spans.
    RateLimiter rateLimiter = new RateLimiter(System::nanoTime);
    IntakeHandler intake = new IntakeHandler(parts.keys(), rateLimiter, parts.defaultSpansPerSecond(),
        parts.maxBodyBytes(), Map.of(
            Protocol.NATIVE, parts.nativeDecoder(),
            Protocol.OTLP_PROTOBUF, parts.otlpProtobufDecoder(),
            Protocol.OTLP_JSON, parts.otlpJsonDecoder()),
        parts.publisher(), parts.spans(), parts.metrics());
    ReleaseHandler releases = new ReleaseHandler(parts.keys(), rateLimiter, parts.defaultSpansPerSecond(), parts.releaseIntake(),
        parts.publisher(), parts.releases(), parts.metrics());
    int[] boundPort = {port};
    HttpServerOptions options = new HttpServerOptions()
        .setHost(host)
        .setPort(port)
        .setDecompressionSupported(true)
        .setMaxHeaderSize(16 * 1024)
        .setMaxInitialLineLength(8 * 1024)
        .setIdleTimeout(60)
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setTcpNoDelay(true);
    try {
      vertx.deployVerticle(() -> new VerticleBase() {
        @Override
        public Future<?> start() {
          HttpServer server = vertx.createHttpServer(options)
              .requestHandler(request -> route(vertx, request, intake, releases, parts));
          return server.listen().onSuccess(bound -> boundPort[0] = bound.actualPort());
        }
      }, new DeploymentOptions().setInstances(eventLoops)).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("the gateway could not listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    return new GatewayServer(vertx, boundPort[0]);
  }

  private static void route(Vertx vertx, HttpServerRequest request, IntakeHandler intake, ReleaseHandler releases, Parts parts) {
    String path = request.path();
    HttpMethod method = request.method();
    switch (path) {
      case "/v1/spans", "/v1/traces" -> {
        if (method == HttpMethod.POST) {
          intake.handle(request, path, path.equals("/v1/traces"));
        } else {
          methodNotAllowed(request);
        }
      }
      case ReleaseHandler.ENDPOINT -> {
        if (method == HttpMethod.POST) {
          releases.handle(request);
        } else {
          methodNotAllowed(request);
        }
      }
      case "/healthz" -> plain(request, 200, "application/json", "{\"status\":\"up\"}");
      case "/readyz" -> vertx.executeBlocking(() -> parts.readiness().get())
          .onComplete(result -> {
            Readiness readiness = result.succeeded() ? result.result() : new Readiness(false, Map.of("error", String.valueOf(result.cause())));
            plain(request, readiness.ready() ? 200 : 503, "application/json",
                new String(Responses.json(Map.of("ready", readiness.ready(), "checks", readiness.detail())), java.nio.charset.StandardCharsets.UTF_8));
          });
      case "/metrics" -> plain(request, 200, "text/plain; version=0.0.4; charset=utf-8", parts.metrics().scrape());
      default -> plain(request, 404, "application/json", "{\"code\":\"not_found\",\"message\":\"no such endpoint: " + path.replace("\"", "") + "\"}");
    }
  }

  private static void methodNotAllowed(HttpServerRequest request) {
    plain(request, 405, "application/json", "{\"code\":\"method_not_allowed\",\"message\":\"use POST\"}");
  }

  private static void plain(HttpServerRequest request, int status, String contentType, String body) {
    request.response().setStatusCode(status).putHeader("Content-Type", contentType).end(Buffer.buffer(body));
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Closing is best effort; the process is going away.
    }
  }
}
