package io.llmtrace.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.testing.TestSpans;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/** The hand-written LlmSpan writer writes exactly the bytes of Avro's own writer. */
class LlmSpanWriterTest {

  @Test
  void writesTheSchemaOfThisBuild() {
    assertThat(LlmSpanWriter.matchesGeneratedClass())
        .as("LlmSpan.avsc changed: update LlmSpanWriter (field order, types), then its FINGERPRINT")
        .isTrue();
  }

  @Test
  void bytesEqualAvrosWriterForFixturesAndRandomSpans() throws IOException {
    List<LlmSpan> spans = new ArrayList<>(List.of(TestSpans.fullyPopulated(), TestSpans.minimal(), TestSpans.unknownCost()));
    spans.addAll(TestSpans.ragTrace());
    Random random = new Random(5);
    for (int i = 0; i < 2_000; i++) {
      spans.add(TestSpans.randomVariant(random));
    }
    for (LlmSpan span : spans) {
      assertThat(encode(new LlmSpanWriter(), span)).as("%s", span)
          .isEqualTo(encode(new SpecificDatumWriter<>(LlmSpan.class), span));
    }
  }

  private static byte[] encode(DatumWriter<LlmSpan> writer, LlmSpan span) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    writer.write(span, encoder);
    encoder.flush();
    return bytes.toByteArray();
  }
}
