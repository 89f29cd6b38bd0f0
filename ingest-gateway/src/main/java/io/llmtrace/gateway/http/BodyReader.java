package io.llmtrace.gateway.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Collects a request body (already decompressed by the server) up to a limit. Past the limit it stops
 * collecting at once and reports, so a multi-gigabyte body or a gzip bomb costs at most the limit.
 */
final class BodyReader {

  private Buffer body;
  private boolean done;

  BodyReader(HttpServerRequest request, long limit, Handler<Buffer> onBody, Handler<Void> onTooLarge, Handler<Throwable> onError) {
    body = Buffer.buffer((int) Math.min(64 * 1024, limit));
    request.handler(chunk -> {
      if (done) {
        return;
      }
      if (body.length() + (long) chunk.length() > limit) {
        done = true;
        body = null;
        onTooLarge.handle(null);
        return;
      }
      body.appendBuffer(chunk);
    });
    request.exceptionHandler(error -> {
      if (!done) {
        done = true;
        onError.handle(error);
      }
    });
    request.endHandler(v -> {
      if (!done) {
        done = true;
        onBody.handle(body);
      }
    });
  }
}
