package io.llmtrace.gateway.otlp;

import com.google.protobuf.CodedInputStream;
import io.llmtrace.gateway.intake.InvalidRequestException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;

/**
 * Turns an OTLP/HTTP trace export body, protobuf or JSON, into an {@link ExportTraceServiceRequest},
 * or throws {@link InvalidRequestException} ({@code invalid_otlp_protobuf} / {@code invalid_otlp_json},
 * HTTP 400) saying what is wrong and, for JSON, where. Both decoders bound nesting to
 * {@value OtlpJsonReader#MAX_DEPTH} levels so no body can exhaust the stack, and both refuse invalid
 * UTF-8 in strings. Decompression and the body size limit belong to the HTTP layer.
 */
public final class OtlpDecoder {

  public static final String PROTOBUF_ERROR = "invalid_otlp_protobuf";
  public static final String JSON_ERROR = OtlpJsonReader.CODE;

  private OtlpDecoder() {}

  public static ExportTraceServiceRequest parseProtobuf(byte[] body) {
    try {
      CodedInputStream input = CodedInputStream.newInstance(body);
      input.setRecursionLimit(OtlpJsonReader.MAX_DEPTH);
      ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(input);
      input.checkLastTagWas(0);
      return request;
    } catch (IOException e) {
      // InvalidProtocolBufferException in practice (a byte array has no other I/O to fail). proto3
      // string fields are UTF-8 checked while parsing, so bad UTF-8 lands here too, named as such.
      throw new InvalidRequestException(PROTOBUF_ERROR,
          "not a valid OTLP ExportTraceServiceRequest protobuf (" + body.length + " bytes): " + e.getMessage());
    }
  }

  public static ExportTraceServiceRequest parseJson(byte[] body) {
    return OtlpJsonReader.read(body);
  }
}
