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
    // Size the buffer from Content-Length when there is one (a gzip body grows, the buffer with it).
    long declared = declaredLength(request);
    body = Buffer.buffer((int) Math.min(declared > 0 ? declared : 8 * 1024, limit));
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

  /** The Content-Length header's value; -1 when there is none or it is not a number. */
  static long declaredLength(HttpServerRequest request) {
    String header = request.getHeader("Content-Length");
    try {
      return header == null ? -1 : Long.parseLong(header.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
