package io.llmtrace.sink.mapping;

import io.llmtrace.schemas.avro.ReviewItem;
import io.llmtrace.sink.encoding.RowBinaryBuffer;
import java.util.List;

/**
 * One {@link ReviewItem} version as one row of {@code review_queue} (migration {@code V010__review_queue.sql}),
 * its fields as columns of the same names, enums as their symbol.
 *
 * <p>An item without an item id (written before the field existed) gets {@code <trace_id>/<reason>}: the
 * table keeps one row per (tenant, item id), and the contract makes an item one trace and reason of a
 * tenant. Refused (dead letter): an item without a tenant (row policies filter on it) and a version below 1
 * (the table keeps the highest version; versions start at 1).
 */
public final class ReviewRows {

  public static final List<String> COLUMNS = List.of(
      "item_id", "tenant_id", "trace_id", "span_id", "reason", "priority", "status", "created_at", "detail",
      "environment", "service_name", "feature_name", "prompt_name", "prompt_version", "model_name", "trace_start_time",
      "sample_rate", "alert_id", "decision_label", "decision_note", "reviewer", "decided_at", "version",
      "kafka_partition", "kafka_offset");

  private ReviewRows() {}

  /** Appends the item as one RowBinary row; {@code partition}/{@code offset} record where it was read. */
  public static void encode(ReviewItem item, int partition, long offset, RowBinaryBuffer out) {
    if (item.getTenantId().isEmpty()) {
      throw new IllegalArgumentException("review item of trace " + item.getTraceId() + " (" + item.getReason() + ") has no tenant_id");
    }
    if (item.getVersion() < 1) {
      throw new IllegalArgumentException("review item " + itemId(item) + " has version " + item.getVersion() + ", versions start at 1");
    }
    out.string(itemId(item)).string(item.getTenantId()).string(item.getTraceId()).nullableString(item.getSpanId())
        .string(item.getReason()).string(item.getPriority().name()).string(item.getStatus().name())
        .dateTime64Micros(item.getCreatedAt()).nullableString(item.getDetail());
    out.nullableString(item.getEnvironment()).nullableString(item.getServiceName()).nullableString(item.getFeatureName())
        .nullableString(item.getPromptName()).nullableString(item.getPromptVersion()).nullableString(item.getModelName())
        .nullableDateTime64Micros(item.getTraceStartTime());
    out.float64(item.getSampleRate()).nullableString(item.getAlertId()).nullableString(item.getDecisionLabel())
        .nullableString(item.getDecisionNote()).nullableString(item.getReviewer()).nullableDateTime64Micros(item.getDecidedAt())
        .int32(item.getVersion()); // UInt32 column: the same 4 little-endian bytes for a positive int
    out.int32(partition).int64(offset);
  }

  /** The item's id, or for an item written before the field existed its trace and reason. */
  static String itemId(ReviewItem item) {
    return item.getItemId().isEmpty() ? item.getTraceId() + "/" + item.getReason() : item.getItemId();
  }
}
