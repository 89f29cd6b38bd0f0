package io.llmtrace.sink.mapping;

import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.sink.encoding.RowBinaryBuffer;
import java.util.List;

/**
 * One {@link AlertEvent} as one row of {@code alerts} (migration {@code V008__alerts.sql}): its fields as
 * columns of the same names, enums as their symbol; the table computes {@code tenant_id},
 * {@code environment} and {@code feature_name} from {@code group_dimensions}.
 *
 * <p>Refused (dead letter): an event without an alert id or rule id. The episode view groups events by
 * alert id, so one empty id would fold unrelated episodes into one. A group without a tenant is kept: a
 * rule may watch every tenant, and dropping an alert is worse than showing it to the cross-tenant roles only.
 */
public final class AlertRows {

  public static final List<String> COLUMNS = List.of(
      "alert_id", "rule_id", "rule_name", "rule_kind", "state", "severity", "owner", "runbook_url", "action", "metric_name",
      "group_dimensions", "measured_value", "comparator", "threshold", "baseline_value", "baseline", "evaluation_window", "volume",
      "window_start", "window_end", "example_trace_ids", "fired_at", "started_at", "resolved_at", "summary", "release",
      "notification", "kafka_partition", "kafka_offset");

  private AlertRows() {}

  /** Appends the event as one RowBinary row; {@code partition}/{@code offset} record where it was read. */
  public static void encode(AlertEvent alert, int partition, long offset, RowBinaryBuffer out) {
    if (alert.getAlertId().isEmpty() || alert.getRuleId().isEmpty()) {
      throw new IllegalArgumentException("alert event of rule '" + alert.getRuleId() + "' with alert id '" + alert.getAlertId()
          + "': both must be set (events of an episode are grouped by alert id)");
    }
    out.string(alert.getAlertId()).string(alert.getRuleId()).string(alert.getRuleName()).string(alert.getRuleKind())
        .string(alert.getState().name()).string(alert.getSeverity().name()).nullableString(alert.getOwner())
        .nullableString(alert.getRunbookUrl()).nullableString(alert.getAction()).nullableString(alert.getMetricName())
        .stringMap(alert.getGroupDimensions());
    out.float64(alert.getMeasuredValue()).nullableString(alert.getComparator()).float64(alert.getThreshold())
        .nullableFloat64(alert.getBaselineValue()).nullableString(alert.getBaseline()).nullableString(alert.getEvaluationWindow())
        .int64(alert.getVolume());
    out.dateTime64Micros(alert.getWindowStart()).dateTime64Micros(alert.getWindowEnd()).stringArray(alert.getExampleTraceIds())
        .dateTime64Micros(alert.getFiredAt()).nullableDateTime64Micros(alert.getStartedAt())
        .nullableDateTime64Micros(alert.getResolvedAt());
    out.nullableString(alert.getSummary()).nullableString(alert.getRelease()).int32(alert.getNotification());
    out.int32(partition).int64(offset);
  }
}
