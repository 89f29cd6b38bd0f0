package io.llmtrace.sink.encoding;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A ClickHouse column type as far as the sink needs it to move values between RowBinary and Native:
 * parsed from the type string the server reports ({@code DESCRIBE TABLE}).
 *
 * <p>{@link #wireName()} is the type the sink declares in a Native block: the table's type without
 * {@code LowCardinality}, which the server converts on insert, column at a time. (Rows of a
 * {@code LowCardinality} column in RowBinary are converted one value at a time, which was ~5× slower
 * than the whole insert on the engine measured in docs/BENCHMARKS.md.)
 */
public sealed interface ColumnType {

  String wireName();

  /** {@code String}, a fixed-width number, {@code Bool}, {@code DateTime64(p[, tz])} or another fixed-width scalar. */
  record Scalar(String name, int fixedWidth) implements ColumnType {
    /** {@code fixedWidth} 0 = length-prefixed (String). */
    public boolean variableLength() {
      return fixedWidth == 0;
    }

    @Override
    public String wireName() {
      return name;
    }
  }

  record Nullable(ColumnType nested) implements ColumnType {
    @Override
    public String wireName() {
      return "Nullable(" + nested.wireName() + ")";
    }
  }

  record Array(ColumnType element) implements ColumnType {
    @Override
    public String wireName() {
      return "Array(" + element.wireName() + ")";
    }
  }

  /** {@code names} holds null for an unnamed element. */
  record Tuple(List<String> names, List<ColumnType> elements) implements ColumnType {
    @Override
    public String wireName() {
      StringBuilder out = new StringBuilder("Tuple(");
      for (int i = 0; i < elements.size(); i++) {
        out.append(i == 0 ? "" : ", ").append(names.get(i) == null ? "" : names.get(i) + " ").append(elements.get(i).wireName());
      }
      return out.append(')').toString();
    }
  }

  record Map(ColumnType key, ColumnType value) implements ColumnType {
    @Override
    public String wireName() {
      return "Map(" + key.wireName() + ", " + value.wireName() + ")";
    }
  }

  Set<String> WIDTH_1 = Set.of("UInt8", "Int8", "Bool", "Enum8");
  Set<String> WIDTH_2 = Set.of("UInt16", "Int16", "Date", "Enum16");
  Set<String> WIDTH_4 = Set.of("UInt32", "Int32", "Float32", "Date32", "DateTime", "IPv4");
  Set<String> WIDTH_8 = Set.of("UInt64", "Int64", "Float64", "DateTime64");
  Set<String> WIDTH_16 = Set.of("UInt128", "Int128", "UUID", "IPv6");

  static ColumnType parse(String type) {
    Parser parser = new Parser(type);
    ColumnType parsed = parser.type();
    parser.skipSpaces();
    if (parser.at < type.length()) {
      throw new IllegalArgumentException("unexpected '" + type.substring(parser.at) + "' in type " + type);
    }
    return parsed;
  }

  /** Recursive descent over {@code Name[(args)]}; tuple elements may be {@code name Type}. */
  final class Parser {
    private final String text;
    private int at;

    private Parser(String text) {
      this.text = text;
    }

    private ColumnType type() {
      String name = identifier();
      skipSpaces();
      if (!peek('(')) {
        return scalar(name, name);
      }
      int argsStart = at;
      at++;
      switch (name) {
        case "Nullable" -> {
          ColumnType nested = type();
          expect(')');
          return new Nullable(nested);
        }
        case "LowCardinality" -> {
          ColumnType nested = type();
          expect(')');
          return nested;
        }
        case "Array" -> {
          ColumnType element = type();
          expect(')');
          return new Array(element);
        }
        case "Map" -> {
          ColumnType key = type();
          expect(',');
          ColumnType value = type();
          expect(')');
          return new Map(key, value);
        }
        case "Tuple" -> {
          List<String> names = new ArrayList<>();
          List<ColumnType> elements = new ArrayList<>();
          do {
            skipSpaces();
            int start = at;
            String first = identifier();
            skipSpaces();
            if (peek(',') || peek(')') || peek('(')) {
              at = start;
              names.add(null);
            } else {
              names.add(first);
            }
            elements.add(type());
            skipSpaces();
          } while (consume(','));
          expect(')');
          return new Tuple(names, elements);
        }
        default -> {
          // DateTime64(6, 'UTC'), Decimal(18, 4), FixedString(n): keep the arguments verbatim
          int depth = 1;
          while (depth > 0) {
            if (at >= text.length()) {
              throw new IllegalArgumentException("unbalanced parentheses in type " + text);
            }
            char c = text.charAt(at++);
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
          }
          return scalar(name, name + text.substring(argsStart, at));
        }
      }
    }

    private ColumnType scalar(String base, String full) {
      int width = base.equals("String") ? 0
          : WIDTH_1.contains(base) ? 1 : WIDTH_2.contains(base) ? 2 : WIDTH_4.contains(base) ? 4
          : WIDTH_8.contains(base) ? 8 : WIDTH_16.contains(base) ? 16 : -1;
      if (width < 0) {
        throw new IllegalArgumentException("the sink cannot move values of type " + full + " (in " + text + ")");
      }
      return new Scalar(full, width);
    }

    private String identifier() {
      skipSpaces();
      int start = at;
      while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '_')) {
        at++;
      }
      if (start == at) {
        throw new IllegalArgumentException("expected a name at position " + at + " of type " + text);
      }
      return text.substring(start, at);
    }

    private void skipSpaces() {
      while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
        at++;
      }
    }

    private boolean peek(char c) {
      return at < text.length() && text.charAt(at) == c;
    }

    private boolean consume(char c) {
      skipSpaces();
      if (peek(c)) {
        at++;
        return true;
      }
      return false;
    }

    private void expect(char c) {
      if (!consume(c)) {
        throw new IllegalArgumentException("expected '" + c + "' at position " + at + " of type " + text);
      }
    }
  }
}
