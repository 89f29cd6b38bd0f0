package io.llmtrace.sink.mapping;

import io.llmtrace.schemas.avro.CostSource;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.SpanStatus;
import io.llmtrace.schemas.avro.ToolExecutionStatus;
import io.llmtrace.schemas.registry.SchemaRegistryClient;
import io.llmtrace.sink.encoding.RowBinaryBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Avro bytes of an {@link LlmSpan} straight to its {@code spans} row, without building the record: the
 * columns follow the Avro fields in order, so the binary is walked once and strings are copied as bytes
 * (both formats hold UTF-8). Decoding into objects was most of the sink's CPU.
 *
 * <p>Only for records written with exactly the schema this walk was written for ({@link #FINGERPRINT},
 * checked per schema id): any other writer schema, and any record this walk cannot read, goes through
 * the general path (Avro schema resolution into {@link LlmSpan}, then {@link SpanRows#encode}), which
 * produces the same bytes. {@code SpanAvroTranscoderTest} holds both paths equal and fails when
 * LlmSpan.avsc changes without this class.
 */
final class SpanAvroTranscoder {

  /** Parsing fingerprint (CRC-64-AVRO) of the LlmSpan schema this walk reads. */
  static final long FINGERPRINT = 2603530896082300890L;

  private static final String[] KINDS = names(SpanKind.values());
  private static final String[] STATUSES = names(SpanStatus.values());
  private static final String[] COST_SOURCES = names(CostSource.values());
  private static final String[] TOOL_STATUSES = names(ToolExecutionStatus.values());
  private static final boolean CURRENT = SchemaNormalization.parsingFingerprint64(LlmSpan.getClassSchema()) == FINGERPRINT;

  private final SchemaRegistryClient registry;
  private final Map<Integer, Boolean> walkable = new ConcurrentHashMap<>();

  SpanAvroTranscoder(SchemaRegistryClient registry) {
    this.registry = registry;
  }

  static long currentFingerprint() {
    return SchemaNormalization.parsingFingerprint64(LlmSpan.getClassSchema());
  }

  /**
   * Appends the row of a Confluent-wire-format record; false (and nothing appended) when the general
   * path must handle it.
   */
  boolean transcode(byte[] data, int partition, long offset, RowBinaryBuffer out) {
    if (!CURRENT || data == null || data.length < 5 || data[0] != 0) {
      return false;
    }
    int id = ((data[1] & 0xff) << 24) | ((data[2] & 0xff) << 16) | ((data[3] & 0xff) << 8) | (data[4] & 0xff);
    if (!Boolean.TRUE.equals(walkable.computeIfAbsent(id, this::isCurrentSchema))) {
      return false;
    }
    int mark = out.size();
    try {
      Walk walk = new Walk(data, 5, out);
      walk.span();
      if (walk.at != data.length) {
        out.truncate(mark);
        return false;
      }
      out.int32(partition).int64(offset);
      return true;
    } catch (RuntimeException e) {
      out.truncate(mark);
      return false;
    }
  }

  /** Static entry for tests: walks a bare Avro body (no wire-format header). */
  static void walkBody(byte[] body, RowBinaryBuffer out) {
    Walk walk = new Walk(body, 0, out);
    walk.span();
    if (walk.at != body.length) {
      throw new IllegalStateException("bytes left after the span: " + (body.length - walk.at));
    }
  }

  /** Null (not remembered, asked again next time) when the registry cannot say now. */
  private Boolean isCurrentSchema(int id) {
    try {
      Schema writer = registry.getById(id);
      return SchemaNormalization.parsingFingerprint64(writer) == FINGERPRINT;
    } catch (RuntimeException e) {
      return null; // the general path reports it (poison or retriable)
    }
  }

  private static String[] names(Enum<?>[] values) {
    String[] names = new String[values.length];
    for (int i = 0; i < values.length; i++) {
      names[i] = values[i].name();
    }
    return names;
  }

  /** One pass over one span's Avro body, writing its row. */
  private static final class Walk {
    private final byte[] in;
    private final RowBinaryBuffer out;
    private int at;

    Walk(byte[] in, int at, RowBinaryBuffer out) {
      this.in = in;
      this.at = at;
      this.out = out;
    }

    void span() {
      string();            // trace_id
      string();            // span_id
      nullableString();    // parent_span_id
      nullableString();    // request_id
      nullableString();    // session_id
      string();            // tenant_id
      for (int i = 0; i < 6; i++) {
        nullableString();  // project_id, environment, service_name, feature_name, app_version, user_id
      }
      symbol(KINDS);       // kind
      string();            // name
      out.int64(readLong());  // start_time
      out.int64(readLong());  // end_time
      symbol(STATUSES);    // status
      nullableString();    // error_type
      nullableString();    // error_message
      if (present()) {     // attempt
        out.int32(readInt());
      }
      nullableString();    // retry_of_span_id
      bool();              // fallback
      bool();              // rate_limited
      bool();              // timed_out
      prompt();
      model();
      generation();
      output();
      usage();
      cost();
      retrieval();
      tool();
      evaluations();
      feedback();
      stringMap();         // attributes
      events();
      redaction();
      nullableString();    // policy_severity
      nullableDouble();    // citation_coverage
      validation();
    }

    private void prompt() {
      if (!section()) {
        nulls(4);
        out.varUInt(0).varUInt(0);
        return;
      }
      nullableString();    // name
      nullableString();    // version
      nullableString();    // template_id
      nullableString();    // template
      stringMap();         // variables
      items(() -> {
        string();        // role
        nullableString();  // content
        nullableString();  // name
        nullableString();  // tool_call_id
      });
    }

    private void model() {
      if (!section()) {
        nulls(4);
        return;
      }
      nullableString();    // provider
      out.uint8(0);
      string();            // name (required in the record, Nullable in the table)
      nullableString();    // version
      nullableString();    // region
    }

    private void generation() {
      if (!section()) {
        nulls(6);
        out.varUInt(0);
        return;
      }
      nullableDouble();    // temperature
      if (present()) {     // max_tokens
        out.int32(readInt());
      }
      nullableDouble();    // top_p
      if (present()) {     // seed
        out.int64(readLong());
      }
      nullableString();    // response_format
      nullableString();    // tool_choice
      items(() -> {
        string();        // name
        nullableString();  // description
        nullableString();  // parameters_json
      });
    }

    private void output() {
      if (!section()) {
        nulls(3);
        out.varUInt(0);
        return;
      }
      nullableString();    // text
      nullableString();    // structured_output_json
      nullableString();    // finish_reason
      items(() -> {
        nullableString();  // id
        string();        // name
        nullableString();  // arguments_json
      });
    }

    private void usage() {
      if (!section()) {
        nulls(6);
        return;
      }
      for (int i = 0; i < 6; i++) {
        if (present()) {
          out.int64(readLong());
        }
      }
    }

    private void cost() {
      if (!section()) {
        nulls(4);
        return;
      }
      nullableDouble();    // amount (null: unknown, no price applied)
      nullableString();    // currency
      out.uint8(0);
      symbol(COST_SOURCES);  // source
      nullableString();    // price_table_version
    }

    private void retrieval() {
      if (!section()) {
        nulls(4);
        out.varUInt(0);
        return;
      }
      for (int i = 0; i < 4; i++) {
        nullableString();  // query, index_name, index_version, embedding_model
      }
      items(() -> {
        string();        // doc_id
        nullableString();  // chunk_id
        nullableDouble();  // score
        nullableDouble();  // rerank_score
        if (present()) {   // included_in_prompt
        bool();
        }
        nullableString();  // content
      });
    }

    private void tool() {
      if (!section()) {
        nulls(5);
        return;
      }
      out.uint8(0);
      string();            // name
      nullableString();    // call_id
      nullableString();    // arguments_json
      nullableString();    // result_content
      out.uint8(0);
      symbol(TOOL_STATUSES);  // status
    }

    private void evaluations() {
      items(() -> {
        string();        // evaluator_name
        nullableString();  // evaluator_version
        nullableDouble();  // score
        if (present()) {   // passed
        bool();
        }
        nullableString();  // label
        nullableString();  // explanation
      });
    }

    private void feedback() {
      items(() -> {
        string();        // kind
        nullableString();  // value
        nullableString();  // comment
      });
    }

    private void events() {
      items(() -> {
        string();        // name
        out.int64(readLong());  // time
        stringMap();     // attributes
      });
    }

    private void redaction() {
      if (!section()) {
        out.uint8(1);
        out.varUInt(0);
        out.uint8(1);
        return;
      }
      out.uint8(0);
      bool();              // applied
      items(() -> {
        string();
        out.int32(readInt());
      });
      nullableString();    // policy_version
    }

    /** The record's flags and counts are plain in Avro, Nullable in the table (null when the span has no record). */
    private void validation() {
      if (!section()) {
        nulls(5);
        out.varUInt(0);
        return;
      }
      for (int i = 0; i < 3; i++) {
        out.uint8(0);
        bool();            // json_requested, json_parse_failed, schema_validation_failed
      }
      out.uint8(0);
      out.int32(readInt());  // tool_argument_failures
      out.uint8(0);
      out.int32(readInt());  // checks_not_run
      items(this::string);   // errors
    }

    private void stringMap() {
      items(() -> {
        string();
        string();
      });
    }

    /**
     * An Avro array or map (blocks of items) as a RowBinary count followed by the items; the count is
     * only known at the end, so one byte is reserved and patched.
     */
    private void items(Runnable item) {
      int count = out.size();
      long items = 0;
      out.uint8(0);
      for (long block = readBlock(); block != 0; block = readBlock()) {
        for (long i = 0; i < block; i++) {
          item.run();
        }
        items += block;
      }
      out.patchCount(count, items);
    }

    /** Items in the next block of an array or map; 0 at the end. A negative count is followed by a byte size. */
    private long readBlock() {
      long count = readLong();
      if (count < 0) {
        readLong();
        count = -count;
      }
      return count;
    }

    /** A ["null", record] union: true when the record follows. */
    private boolean section() {
      return unionIndex() == 1;
    }

    /** A ["null", x] union: writes the Nullable marker; true when the value follows. */
    private boolean present() {
      boolean present = unionIndex() == 1;
      out.uint8(present ? 0 : 1);
      return present;
    }

    private int unionIndex() {
      int index = readInt();
      if (index != 0 && index != 1) {
        throw new IllegalStateException("union branch " + index);
      }
      return index;
    }

    private void nulls(int count) {
      for (int i = 0; i < count; i++) {
        out.uint8(1);
      }
    }

    private void nullableString() {
      if (present()) {
        string();
      }
    }

    private void nullableDouble() {
      if (present()) {
        double8();
      }
    }

    private void string() {
      long length = readLong();
      if (length < 0 || at + length > in.length) {
        throw new IllegalStateException("string of " + length + " bytes at " + at);
      }
      out.varUInt(length);
      out.appendArray(in, at, at + (int) length);
      at += (int) length;
    }

    private void symbol(String[] symbols) {
      out.string(symbols[readInt()]);
    }

    private void bool() {
      if (at >= in.length) {
        throw new IllegalStateException("end of data");
      }
      byte value = in[at++];
      if (value != 0 && value != 1) {
        throw new IllegalStateException("boolean " + value);
      }
      out.uint8(value);
    }

    /** Avro and RowBinary both store a double as 8 little-endian bytes. */
    private void double8() {
      if (at + 8 > in.length) {
        throw new IllegalStateException("end of data");
      }
      out.appendArray(in, at, at + 8);
      at += 8;
    }

    private int readInt() {
      long value = readLong();
      if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
        throw new IllegalStateException("int out of range: " + value);
      }
      return (int) value;
    }

    /** Zig-zag variable-length long, as Avro writes int and long. */
    private long readLong() {
      long raw = 0;
      for (int shift = 0; shift < 70; shift += 7) {
        if (at >= in.length) {
          throw new IllegalStateException("end of data");
        }
        byte b = in[at++];
        raw |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          return (raw >>> 1) ^ -(raw & 1);
        }
      }
      throw new IllegalStateException("malformed varint");
    }
  }
}
