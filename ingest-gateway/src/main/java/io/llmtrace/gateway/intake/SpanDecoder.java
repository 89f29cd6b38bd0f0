package io.llmtrace.gateway.intake;

/** Turns a request body of one protocol into spans; throws {@link InvalidRequestException} for unusable bodies. */
@FunctionalInterface
public interface SpanDecoder {
  DecodedBatch decode(byte[] body);
}
