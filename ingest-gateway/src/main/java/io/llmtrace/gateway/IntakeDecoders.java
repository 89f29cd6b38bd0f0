package io.llmtrace.gateway;

import io.llmtrace.gateway.intake.DecodedBatch;
import io.llmtrace.gateway.intake.SpanIntake;
import io.llmtrace.gateway.nativejson.NativeSpanDecoder;
import io.llmtrace.gateway.otlp.OtlpDecoder;
import io.llmtrace.gateway.otlp.OtlpSpanMapper;

/** The three body decoders, all ending in the same {@link SpanIntake} checks. */
final class IntakeDecoders {

  private final SpanIntake intake;
  private final NativeSpanDecoder nativeDecoder;
  private final OtlpSpanMapper otlpMapper;

  IntakeDecoders(SpanIntake intake) {
    this.intake = intake;
    this.nativeDecoder = new NativeSpanDecoder(intake);
    this.otlpMapper = new OtlpSpanMapper();
  }

  DecodedBatch decodeNative(byte[] body) {
    return nativeDecoder.decode(body);
  }

  DecodedBatch decodeOtlpProtobuf(byte[] body) {
    return otlpMapper.map(OtlpDecoder.parseProtobuf(body), intake);
  }

  DecodedBatch decodeOtlpJson(byte[] body) {
    return otlpMapper.map(OtlpDecoder.parseJson(body), intake);
  }
}
