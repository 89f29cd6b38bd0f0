package io.llmtrace.gateway.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.CodedOutputStream;
import io.llmtrace.gateway.intake.Rejection;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * Response bodies. Native endpoints answer JSON: {@code {"accepted":n,"rejected":[{index,path,reason}]}}
 * (releases: {@code {"release_id":"...","released_at":"..."}}) on success and {@code {"code":"...","message":"...","rejected":[...]}} on error. OTLP endpoints answer
 * what OTLP/HTTP clients parse: {@code ExportTraceServiceResponse} (with {@code partial_success} when
 * spans were rejected) or a {@code google.rpc.Status}, in the request's encoding.
 */
final class Responses {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Rejections listed in a response; the count is always exact. */
  private static final int MAX_LISTED = 100;

  private Responses() {}

  static byte[] nativeSuccess(int accepted, List<Rejection> rejected) {
    if (rejected.isEmpty()) {
      // The hot path: no tree, no serializer.
      return ("{\"accepted\":" + accepted + ",\"rejected_count\":0,\"rejected\":[]}").getBytes(StandardCharsets.US_ASCII);
    }
    ObjectNode body = JSON.createObjectNode();
    body.put("accepted", accepted);
    body.put("rejected_count", rejected.size());
    body.set("rejected", rejections(rejected));
    return bytes(body);
  }

  /** {@code POST /v1/releases} once Kafka acknowledged: the id (assigned when the caller gave none) and the time. */
  static byte[] releaseAccepted(String releaseId, Instant releasedAt) {
    ObjectNode body = JSON.createObjectNode();
    body.put("release_id", releaseId);
    body.put("released_at", releasedAt.toString());
    return bytes(body);
  }

  static byte[] nativeError(String code, String message, List<Rejection> rejected) {
    ObjectNode body = JSON.createObjectNode();
    body.put("code", code);
    body.put("message", message);
    if (!rejected.isEmpty()) {
      body.put("rejected_count", rejected.size());
      body.set("rejected", rejections(rejected));
    }
    return bytes(body);
  }

  static byte[] otlpSuccess(Protocol protocol, List<Rejection> rejected) {
    if (protocol == Protocol.OTLP_JSON) {
      ObjectNode body = JSON.createObjectNode();
      if (!rejected.isEmpty()) {
        ObjectNode partial = body.putObject("partialSuccess");
        partial.put("rejectedSpans", Integer.toString(rejected.size()));
        partial.put("errorMessage", summary(rejected));
      }
      return bytes(body);
    }
    ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
    if (!rejected.isEmpty()) {
      response.setPartialSuccess(ExportTracePartialSuccess.newBuilder()
          .setRejectedSpans(rejected.size())
          .setErrorMessage(summary(rejected)));
    }
    return response.build().toByteArray();
  }

  /** A {@code google.rpc.Status}; the machine-readable code leads the message ("all_rejected: ..."). */
  static byte[] otlpStatus(Protocol protocol, int grpcCode, String code, String message) {
    String text = code + ": " + message;
    if (protocol == Protocol.OTLP_JSON) {
      ObjectNode body = JSON.createObjectNode();
      body.put("code", grpcCode);
      body.put("message", text);
      return bytes(body);
    }
    try {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(buffer);
      out.writeInt32(1, grpcCode);
      out.writeString(2, text);
      out.flush();
      return buffer.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** gRPC status code for an HTTP error status, as OTLP/HTTP pairs them. */
  static int grpcCode(int httpStatus) {
    return switch (httpStatus) {
      case 401 -> 16; // UNAUTHENTICATED
      case 403 -> 7; // PERMISSION_DENIED
      case 413, 429 -> 8; // RESOURCE_EXHAUSTED
      case 503 -> 14; // UNAVAILABLE
      case 500 -> 13; // INTERNAL
      default -> 3; // INVALID_ARGUMENT
    };
  }

  static String summary(List<Rejection> rejected) {
    StringBuilder text = new StringBuilder().append(rejected.size()).append(" span(s) rejected");
    for (int i = 0; i < Math.min(3, rejected.size()); i++) {
      Rejection r = rejected.get(i);
      text.append(i == 0 ? ": " : "; ").append(r.path()).append(": ").append(r.reason());
    }
    return text.toString();
  }

  private static ArrayNode rejections(List<Rejection> rejected) {
    ArrayNode list = JSON.createArrayNode();
    for (Rejection r : rejected.subList(0, Math.min(MAX_LISTED, rejected.size()))) {
      list.addObject().put("index", r.index()).put("path", r.path()).put("reason", r.reason());
    }
    return list;
  }

  static byte[] json(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] bytes(ObjectNode node) {
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }
}
