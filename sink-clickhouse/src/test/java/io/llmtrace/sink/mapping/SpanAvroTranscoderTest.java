package io.llmtrace.sink.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.testing.TestSpans;
import io.llmtrace.sink.encoding.RowBinaryBuffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/** The byte walk and the general path (decode to LlmSpan, SpanRows.encode) give identical rows. */
class SpanAvroTranscoderTest {

  @Test
  void walksTheSchemaOfThisBuild() {
    assertThat(SpanAvroTranscoder.currentFingerprint())
        .as("LlmSpan.avsc changed: update SpanAvroTranscoder's walk (and SpanRows), then its FINGERPRINT")
        .isEqualTo(SpanAvroTranscoder.FINGERPRINT);
  }

  @Test
  void rowsEqualTheGeneralPathForTheSharedFixturesAndRandomSpans() throws IOException {
    List<LlmSpan> spans = new ArrayList<>(List.of(TestSpans.fullyPopulated(), TestSpans.minimal()));
    spans.addAll(TestSpans.ragTrace());
    Random random = new Random(11);
    for (int i = 0; i < 2_000; i++) {
      spans.add(TestSpans.randomVariant(random));
    }
    for (LlmSpan span : spans) {
      RowBinaryBuffer expected = new RowBinaryBuffer(256);
      SpanRows.encode(span, 0, 0, expected);
      RowBinaryBuffer walked = new RowBinaryBuffer(256);
      SpanAvroTranscoder.walkBody(avro(span), walked);
      walked.int32(0).int64(0);
      assertThat(walked.toByteArray()).as("%s", span).isEqualTo(expected.toByteArray());
    }
  }

  @Test
  void countsAboveOneByteAreMovedIntoPlace() throws IOException {
    LlmSpan span = TestSpans.minimal();
    Map<String, String> attributes = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      attributes.put("k" + i, "v" + i);
    }
    span.setAttributes(attributes);
    RowBinaryBuffer expected = new RowBinaryBuffer(256);
    SpanRows.encode(span, 0, 0, expected);
    RowBinaryBuffer walked = new RowBinaryBuffer(256);
    SpanAvroTranscoder.walkBody(avro(span), walked);
    walked.int32(0).int64(0);
    assertThat(walked.toByteArray()).isEqualTo(expected.toByteArray());

    // arrays and maps in several blocks, with negative counts and byte sizes (a blocking encoder)
    ByteArrayOutputStream blocked = new ByteArrayOutputStream();
    BinaryEncoder encoder = new EncoderFactory().configureBlockSize(64).blockingBinaryEncoder(blocked, null);
    new SpecificDatumWriter<>(LlmSpan.class).write(span, encoder);
    encoder.flush();
    assertThat(blocked.toByteArray()).isNotEqualTo(avro(span));
    RowBinaryBuffer fromBlocks = new RowBinaryBuffer(256);
    SpanAvroTranscoder.walkBody(blocked.toByteArray(), fromBlocks);
    fromBlocks.int32(0).int64(0);
    assertThat(fromBlocks.toByteArray()).isEqualTo(expected.toByteArray());
  }

  private static byte[] avro(LlmSpan span) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    new SpecificDatumWriter<>(LlmSpan.class).write(span, encoder);
    encoder.flush();
    return bytes.toByteArray();
  }
}
