package io.llmtrace.gateway.http;

import io.llmtrace.gateway.auth.ApiKeys;
import io.vertx.core.http.HttpServerRequest;
import java.util.Optional;

/**
 * The API key of a request, as {@code Authorization: Bearer <key>} or {@code X-API-Key: <key>}, and the
 * 401 answers when there is none or it is not ours; the same for every endpoint that takes data.
 */
final class Credentials {

  private Credentials() {}

  /** The key's entry, or empty after answering 401 (missing_api_key or unknown_api_key). */
  static Optional<ApiKeys.Entry> authenticate(ApiKeys keys, Exchange exchange) {
    String presented = presentedKey(exchange.request);
    Optional<ApiKeys.Entry> key = presented == null ? Optional.empty() : keys.lookup(presented);
    if (key.isEmpty()) {
      exchange.fail(401, presented != null ? "unknown_api_key" : "missing_api_key",
          presented != null ? "the API key is not valid" : "send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'");
    }
    return key;
  }

  private static String presentedKey(HttpServerRequest request) {
    String authorization = request.getHeader("Authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String key = authorization.substring(7).strip();
      return key.isEmpty() ? null : key;
    }
    String key = request.getHeader("X-API-Key");
    return key == null || key.isBlank() ? null : key.strip();
  }
}
