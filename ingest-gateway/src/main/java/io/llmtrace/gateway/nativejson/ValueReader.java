package io.llmtrace.gateway.nativejson;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the JSON value the parser is on into the Java value Avro's specific model holds for one schema
 * type. {@link SchemaReaders} builds a tree of these once per schema, so decoding a span is a walk of
 * precomputed readers with no schema inspection, reflection or map of converters per value. A reader
 * throws {@link FieldError} on bad input and leaves the parser on the last token of the value otherwise.
 */
sealed interface ValueReader
    permits ValueReader.Text, ValueReader.Bool, ValueReader.Symbol, ValueReader.Nullable,
        ValueReader.ArrayOf, ValueReader.MapOf, IntegralReader, FloatingReader, TimestampReader,
        ConvertingReader, RecordReader {

  /** @param parser positioned on the first token of the value */
  Object read(JsonParser parser) throws IOException;

  /** What the reader wants, for "expected X, got Y". */
  String expected();

  static FieldError mismatch(String expected, JsonToken got) {
    return FieldError.of("expected " + expected + ", got " + JsonPaths.describe(got));
  }

  /** Avro {@code string}, held as {@link String} (the schemas module generates with stringType String). */
  record Text() implements ValueReader {
    @Override
    public Object read(JsonParser parser) throws IOException {
      if (parser.currentToken() != JsonToken.VALUE_STRING) {
        throw mismatch(expected(), parser.currentToken());
      }
      return parser.getText();
    }

    @Override
    public String expected() {
      return "string";
    }
  }

  /** Avro {@code boolean}: JSON true/false only, never "true" or 1. */
  record Bool() implements ValueReader {
    @Override
    public Object read(JsonParser parser) {
      return switch (parser.currentToken()) {
        case VALUE_TRUE -> Boolean.TRUE;
        case VALUE_FALSE -> Boolean.FALSE;
        default -> throw mismatch(expected(), parser.currentToken());
      };
    }

    @Override
    public String expected() {
      return "boolean";
    }
  }

  /**
   * Avro {@code enum}: the symbol name, case-insensitively ("llm" and "LLM" both work) because producers
   * in other languages lower-case them; an unknown symbol lists the allowed ones.
   *
   * @param exact symbol → enum value, as the schema spells it
   * @param upper upper-cased symbol → enum value (symbols that differ only by case are left out)
   */
  record Symbol(Map<String, Object> exact, Map<String, Object> upper, String allowed) implements ValueReader {
    @Override
    public Object read(JsonParser parser) throws IOException {
      if (parser.currentToken() != JsonToken.VALUE_STRING) {
        throw mismatch(expected(), parser.currentToken());
      }
      String text = parser.getText();
      Object value = exact.get(text);
      if (value == null) {
        value = upper.get(text.toUpperCase(Locale.ROOT));
      }
      if (value == null) {
        throw FieldError.of("unknown symbol " + JsonPaths.quote(text) + ", expected one of " + allowed);
      }
      return value;
    }

    @Override
    public String expected() {
      return "string (one of " + allowed + ")";
    }
  }

  /** A union of null and one other type; JSON null is null. */
  record Nullable(ValueReader value) implements ValueReader {
    @Override
    public Object read(JsonParser parser) throws IOException {
      return parser.currentToken() == JsonToken.VALUE_NULL ? null : value.read(parser);
    }

    @Override
    public String expected() {
      return value.expected() + " or null";
    }
  }

  /** Avro {@code array}, held as an {@link ArrayList} like the lists of hand-built records. */
  record ArrayOf(ValueReader items) implements ValueReader {
    @Override
    public Object read(JsonParser parser) throws IOException {
      if (parser.currentToken() != JsonToken.START_ARRAY) {
        throw mismatch(expected(), parser.currentToken());
      }
      List<Object> list = new ArrayList<>();
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        try {
          list.add(items.read(parser));
        } catch (FieldError e) {
          throw e.under(JsonPaths.index(list.size()));
        }
      }
      return list;
    }

    @Override
    public String expected() {
      return "array";
    }
  }

  /**
   * Avro {@code map}: a JSON object with arbitrary keys. Insertion order is kept so the record reads
   * back as it was sent; a repeated key is an error rather than a silent last-wins.
   */
  record MapOf(ValueReader values) implements ValueReader {
    @Override
    public Object read(JsonParser parser) throws IOException {
      if (parser.currentToken() != JsonToken.START_OBJECT) {
        throw mismatch(expected(), parser.currentToken());
      }
      Map<String, Object> map = new LinkedHashMap<>();
      String key;
      while ((key = parser.nextFieldName()) != null) {
        parser.nextToken();
        Object value;
        try {
          value = values.read(parser);
        } catch (FieldError e) {
          throw e.under(JsonPaths.key(key));
        }
        if (map.put(key, value) != null) {
          throw FieldError.at(JsonPaths.key(key), "duplicate key " + JsonPaths.quote(key));
        }
      }
      return map;
    }

    @Override
    public String expected() {
      return "object";
    }
  }
}
