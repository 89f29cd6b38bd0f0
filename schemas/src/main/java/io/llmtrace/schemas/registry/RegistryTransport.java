package io.llmtrace.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmtrace.schemas.registry.SchemaRegistryException.Call;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP plumbing of the registry client: base URLs with failover, Basic auth, JSON in and out, and
 * turning every failure into a {@link SchemaRegistryException} that names the URL and the call.
 * Failover happens only when a registry cannot be reached; an HTTP answer, even an error, is final.
 */
final class RegistryTransport {

  private static final Logger LOG = LoggerFactory.getLogger(RegistryTransport.class);

  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final String ACCEPT =
      "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9,"
          + " application/json; qs=0.5";
  private static final int MAX_BODY_IN_MESSAGE = 200;

  private final List<String> baseUrls;
  private final String allUrls;
  private final String authorization;
  private final Duration requestTimeout;
  private final HttpClient http;
  private final ObjectMapper json;
  /** Index of the URL that answered last; sticky so a dead first URL costs one failure, not one per call. */
  private volatile int preferred;

  RegistryTransport(
      List<String> urls,
      String basicAuthUserInfo,
      Duration connectTimeout,
      Duration requestTimeout,
      ObjectMapper json) {
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("at least one schema registry URL is required");
    }
    String userInfo = basicAuthUserInfo;
    List<String> cleaned = new ArrayList<>(urls.size());
    for (String raw : urls) {
      URI uri = parse(raw);
      if (uri.getRawUserInfo() != null && userInfo == null) {
        userInfo = URLDecoder.decode(uri.getRawUserInfo(), StandardCharsets.UTF_8);
      }
      cleaned.add(withoutUserInfo(uri));
    }
    this.baseUrls = List.copyOf(cleaned);
    this.allUrls = String.join(", ", baseUrls);
    this.authorization =
        userInfo == null
            ? null
            : "Basic "
                + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    this.requestTimeout = requestTimeout;
    this.json = json;
    // HTTP/1.1: some registries and proxies mishandle the h2c upgrade the client would otherwise try.
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  /** The configured base URLs, without credentials, comma-separated. */
  String urls() {
    return allUrls;
  }

  JsonNode get(String path, Call call) {
    return send("GET", path, null, call);
  }

  JsonNode post(String path, Object body, Call call) {
    final String text;
    try {
      text = json.writeValueAsString(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write request body for " + call.description(), e);
    }
    return send("POST", path, text, call);
  }

  private JsonNode send(String method, String path, String body, Call call) {
    int start = preferred;
    List<String> tried = new ArrayList<>(baseUrls.size());
    IOException last = null;
    for (int i = 0; i < baseUrls.size(); i++) {
      int index = (start + i) % baseUrls.size();
      String base = baseUrls.get(index);
      HttpResponse<String> response;
      try {
        response = http.send(request(method, base + path, body), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        if (baseUrls.size() > 1) {
          LOG.warn(
              "schema registry at {} unreachable while {}, trying the next one: {}",
              base, call.description(), SchemaRegistryException.rootMessage(e));
        }
        tried.add(base);
        if (last != null) {
          e.addSuppressed(last);
        }
        last = e;
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw SchemaRegistryException.interrupted(base, call, e);
      }
      preferred = index;
      return read(base, response, call);
    }
    throw SchemaRegistryException.unreachable(
        tried.stream().collect(Collectors.joining(", ")), call, last);
  }

  private HttpRequest request(String method, String url, String body) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(url)).timeout(requestTimeout).header("Accept", ACCEPT);
    if (authorization != null) {
      builder.header("Authorization", authorization);
    }
    if (body == null) {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      builder
          .header("Content-Type", CONTENT_TYPE)
          .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }
    return builder.build();
  }

  private JsonNode read(String base, HttpResponse<String> response, Call call) {
    int status = response.statusCode();
    String body = response.body() == null ? "" : response.body();
    if (status >= 200 && status < 300) {
      try {
        return json.readTree(body);
      } catch (IOException e) {
        throw SchemaRegistryException.badResponse(base, call, "body is not JSON: " + abbreviate(body), e);
      }
    }
    Integer errorCode = null;
    String message = body.isBlank() ? null : abbreviate(body);
    try {
      JsonNode error = json.readTree(body);
      if (error != null && error.isObject()) {
        errorCode = error.hasNonNull("error_code") ? error.get("error_code").asInt() : null;
        message = error.hasNonNull("message") ? error.get("message").asText() : message;
      }
    } catch (IOException notJson) {
      // Proxies and servlet containers answer errors in HTML; the abbreviated body is the best we have.
    }
    throw SchemaRegistryException.httpError(base, call, status, errorCode, message);
  }

  private static URI parse(String raw) {
    String trimmed = raw.trim();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    URI uri;
    try {
      uri = URI.create(trimmed);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid schema registry URL '" + raw + "': " + e.getMessage(), e);
    }
    if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException(
          "invalid schema registry URL '" + raw + "': scheme must be http or https");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("invalid schema registry URL '" + raw + "': no host");
    }
    return uri;
  }

  /** Credentials must never reach error messages or logs, so they are cut out of the URL. */
  private static String withoutUserInfo(URI uri) {
    String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    return uri.getScheme() + "://" + uri.getHost() + port + path;
  }

  private static String abbreviate(String body) {
    String oneLine = body.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= MAX_BODY_IN_MESSAGE
        ? oneLine
        : oneLine.substring(0, MAX_BODY_IN_MESSAGE) + "...";
  }
}
