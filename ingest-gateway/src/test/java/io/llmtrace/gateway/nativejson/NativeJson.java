package io.llmtrace.gateway.nativejson;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.llmtrace.schemas.avro.LlmSpan;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * Test-side writer of the native JSON form, walking the schema the way a producer's serializer would,
 * so round-trip tests cover every field the fixtures set, including fields added later.
 */
public final class NativeJson {

  /** How timestamp fields are written. */
  public enum Times { RFC3339, MICROS }

  private static final JsonFactory JSON = new JsonFactory();

  private NativeJson() {}

  public static byte[] batch(Times times, LlmSpan... spans) {
    return write(g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("spans");
      for (LlmSpan span : spans) {
        value(g, span.getSchema(), span, times);
      }
      g.writeEndArray();
      g.writeEndObject();
    });
  }

  public static String span(LlmSpan span, Times times) {
    return new String(write(g -> value(g, span.getSchema(), span, times)), java.nio.charset.StandardCharsets.UTF_8);
  }

  private interface Body {
    void write(JsonGenerator generator) throws IOException;
  }

  private static byte[] write(Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator generator = JSON.createGenerator(out)) {
      body.write(generator);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void value(JsonGenerator g, Schema schema, Object value, Times times) throws IOException {
    switch (schema.getType()) {
      case UNION -> {
        if (value == null) {
          g.writeNull();
        } else {
          value(g, schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).findFirst().orElseThrow(), value, times);
        }
      }
      case RECORD -> {
        IndexedRecord record = (IndexedRecord) value;
        g.writeStartObject();
        for (Schema.Field field : schema.getFields()) {
          g.writeFieldName(field.name());
          value(g, field.schema(), record.get(field.pos()), times);
        }
        g.writeEndObject();
      }
      case ARRAY -> {
        g.writeStartArray();
        for (Object item : (List<?>) value) {
          value(g, schema.getElementType(), item, times);
        }
        g.writeEndArray();
      }
      case MAP -> {
        g.writeStartObject();
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
          g.writeFieldName(entry.getKey().toString());
          value(g, schema.getValueType(), entry.getValue(), times);
        }
        g.writeEndObject();
      }
      case LONG -> {
        if (value instanceof Instant instant) {
          if (times == Times.RFC3339) {
            g.writeString(instant.toString());
          } else {
            g.writeNumber(instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000);
          }
        } else {
          g.writeNumber((Long) value);
        }
      }
      case INT -> g.writeNumber((Integer) value);
      case DOUBLE -> g.writeNumber((Double) value);
      case FLOAT -> g.writeNumber((Float) value);
      case BOOLEAN -> g.writeBoolean((Boolean) value);
      case STRING, ENUM -> g.writeString(value.toString());
      default -> throw new IllegalArgumentException("no native JSON form for " + schema);
    }
  }
}
