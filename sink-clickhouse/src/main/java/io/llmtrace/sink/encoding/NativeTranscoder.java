package io.llmtrace.sink.encoding;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns RowBinary rows into one block of ClickHouse's columnar Native format. The sink batches rows in
 * RowBinary (a row is appended as it is read, and a range of rows is a byte range, which is what
 * splitting a rejected batch needs); the insert itself is Native, which the server parses a column at a
 * time instead of a value at a time.
 *
 * <p>Native block (HTTP {@code FORMAT Native}): column count and row count (LEB128), then per column its
 * name, its type and its values: {@code String}/fixed-width values exactly as in RowBinary but all rows
 * of the column together; {@code Nullable}: a null map (one byte per row) then the nested values with a
 * default in null rows; {@code Array}/{@code Map}: cumulative UInt64 end offsets then the elements;
 * {@code Tuple}: each element as a column.
 *
 * <p>Not thread-safe: it reuses its column buffers from one call to the next.
 */
public final class NativeTranscoder {

  private final List<String> names;
  private final List<ColumnType> types;
  /** Column buffers, kept between calls so a batch does not allocate (and grow) them again. */
  private final List<Column> columns = new ArrayList<>();

  public NativeTranscoder(List<String> names, List<ColumnType> types) {
    if (names.size() != types.size()) {
      throw new IllegalArgumentException(names.size() + " column names but " + types.size() + " types");
    }
    this.names = List.copyOf(names);
    this.types = List.copyOf(types);
    for (ColumnType type : types) {
      columns.add(column(type, 4096));
    }
  }

  /**
   * Appends to {@code out} one Native block with the {@code rows} RowBinary rows held in
   * {@code rowBinary[from, to)}; fails if those bytes are not exactly {@code rows} rows of the columns.
   */
  public void transcode(RowBinaryBuffer rowBinary, int from, int to, int rows, RowBinaryBuffer out) {
    for (Column column : columns) {
      column.reset();
    }
    Reader in = new Reader(rowBinary.array(), from, to);
    for (int row = 0; row < rows; row++) {
      for (Column column : columns) {
        column.read(in);
      }
    }
    if (in.at != to) {
      throw new IllegalStateException("RowBinary rows end at byte " + in.at + ", expected " + to + " (" + rows + " rows)");
    }
    out.varUInt(types.size()).varUInt(rows);
    for (int i = 0; i < types.size(); i++) {
      out.string(names.get(i)).string(types.get(i).wireName());
      columns.get(i).write(out);
    }
  }

  private static Column column(ColumnType type, int estimate) {
    if (type instanceof ColumnType.Scalar scalar) {
      return new ScalarColumn(scalar.fixedWidth(), estimate);
    } else if (type instanceof ColumnType.Nullable nullable) {
      return new NullableColumn(column(nullable.nested(), estimate), estimate);
    } else if (type instanceof ColumnType.Array array) {
      return new ArrayColumn(column(array.element(), estimate), estimate);
    } else if (type instanceof ColumnType.Map map) {
      return new ArrayColumn(new TupleColumn(List.of(column(map.key(), estimate), column(map.value(), estimate))), estimate);
    }
    ColumnType.Tuple tuple = (ColumnType.Tuple) type;
    return new TupleColumn(tuple.elements().stream().map(t -> column(t, estimate)).toList());
  }

  /** A cursor over RowBinary bytes. */
  private static final class Reader {
    final byte[] bytes;
    int at;
    final int end;

    Reader(byte[] bytes, int from, int end) {
      this.bytes = bytes;
      this.at = from;
      this.end = end;
    }

    long varUInt() {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (at >= end) {
          throw new IllegalStateException("RowBinary ends inside a length at byte " + at);
        }
        byte b = bytes[at++];
        value |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          return value;
        }
      }
      throw new IllegalStateException("malformed LEB128 length at byte " + at);
    }

    void require(long length) {
      if (length < 0 || at + length > end) {
        throw new IllegalStateException("RowBinary ends inside a value at byte " + at + " (needs " + length + " bytes)");
      }
    }
  }

  private sealed interface Column permits ScalarColumn, NullableColumn, ArrayColumn, TupleColumn {
    void read(Reader in);

    void appendDefault();

    void write(RowBinaryBuffer out);

    void reset();
  }

  private static final class ScalarColumn implements Column {
    private final int width;
    private final RowBinaryBuffer data;

    ScalarColumn(int width, int estimate) {
      this.width = width;
      this.data = new RowBinaryBuffer(estimate);
    }

    @Override
    public void read(Reader in) {
      int start = in.at;
      if (width == 0) {
        long length = in.varUInt();
        in.require(length);
        in.at += (int) length;
      } else {
        in.require(width);
        in.at += width;
      }
      data.appendArray(in.bytes, start, in.at);
    }

    @Override
    public void appendDefault() {
      switch (width) {
        case 0, 1 -> data.uint8(0); // an empty string is its zero length
        case 4 -> data.int32(0);
        case 8 -> data.int64(0);
        default -> data.zeros(width);
      }
    }

    @Override
    public void reset() {
      data.clear();
    }

    @Override
    public void write(RowBinaryBuffer out) {
      out.appendBytes(data, 0, data.size());
    }
  }

  private static final class NullableColumn implements Column {
    private final Column nested;
    private final RowBinaryBuffer nullMap;

    NullableColumn(Column nested, int estimate) {
      this.nested = nested;
      this.nullMap = new RowBinaryBuffer(estimate / 8);
    }

    @Override
    public void read(Reader in) {
      in.require(1);
      byte isNull = in.bytes[in.at++];
      nullMap.uint8(isNull);
      if (isNull != 0) {
        nested.appendDefault();
      } else {
        nested.read(in);
      }
    }

    @Override
    public void appendDefault() {
      nullMap.uint8(1);
      nested.appendDefault();
    }

    @Override
    public void reset() {
      nullMap.clear();
      nested.reset();
    }

    @Override
    public void write(RowBinaryBuffer out) {
      out.appendBytes(nullMap, 0, nullMap.size());
      nested.write(out);
    }
  }

  private static final class ArrayColumn implements Column {
    private final Column element;
    private final RowBinaryBuffer offsets;
    private long total;

    ArrayColumn(Column element, int estimate) {
      this.element = element;
      this.offsets = new RowBinaryBuffer(estimate / 4);
    }

    @Override
    public void read(Reader in) {
      long count = in.varUInt();
      in.require(count > 0 ? 1 : 0);
      total += count;
      offsets.int64(total);
      for (long i = 0; i < count; i++) {
        element.read(in);
      }
    }

    @Override
    public void appendDefault() {
      offsets.int64(total);
    }

    @Override
    public void reset() {
      offsets.clear();
      total = 0;
      element.reset();
    }

    @Override
    public void write(RowBinaryBuffer out) {
      out.appendBytes(offsets, 0, offsets.size());
      element.write(out);
    }
  }

  private static final class TupleColumn implements Column {
    private final List<Column> elements;

    TupleColumn(List<Column> elements) {
      this.elements = elements;
    }

    @Override
    public void read(Reader in) {
      for (Column element : elements) {
        element.read(in);
      }
    }

    @Override
    public void appendDefault() {
      for (Column element : elements) {
        element.appendDefault();
      }
    }

    @Override
    public void reset() {
      for (Column element : elements) {
        element.reset();
      }
    }

    @Override
    public void write(RowBinaryBuffer out) {
      for (Column element : elements) {
        element.write(out);
      }
    }
  }
}
