package io.llmtrace.gateway.nativejson;

import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import org.apache.avro.Conversion;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;

/**
 * A logical type the specific model converts (a {@code date} to {@code LocalDate}, a {@code uuid} to
 * {@code UUID}...): the JSON carries the underlying Avro value, which is read as such and then converted
 * the way Avro's own readers do, so a logical type added to the schema needs no code here.
 */
record ConvertingReader(ValueReader raw, Schema schema, Conversion<?> conversion) implements ValueReader {

  @Override
  public Object read(JsonParser parser) throws IOException {
    Object value = raw.read(parser);
    try {
      return Conversions.convertToLogicalType(value, schema, schema.getLogicalType(), conversion);
    } catch (RuntimeException e) {
      // The conversion's own message may quote the whole input; the type name says enough.
      throw FieldError.of("is not a valid " + schema.getLogicalType().getName());
    }
  }

  @Override
  public String expected() {
    return raw.expected();
  }
}
