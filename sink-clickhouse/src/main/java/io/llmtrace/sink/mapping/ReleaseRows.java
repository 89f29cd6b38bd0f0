package io.llmtrace.sink.mapping;

import io.llmtrace.schemas.avro.ReleaseMarker;
import io.llmtrace.sink.encoding.RowBinaryBuffer;
import java.util.List;

/**
 * One {@link ReleaseMarker} as one row of {@code releases} (migration {@code V009__releases.sql}), its
 * fields as columns of the same names.
 *
 * <p>Refused (dead letter): a marker without a tenant (row policies filter on it) or without a release id
 * (the table collapses copies of one id, so every id-less marker of a tenant would become one).
 */
public final class ReleaseRows {

  public static final List<String> COLUMNS = List.of(
      "release_id", "tenant_id", "service_name", "environment", "app_version", "prompt_name", "prompt_version",
      "released_at", "released_by", "note", "received_at", "kafka_partition", "kafka_offset");

  private ReleaseRows() {}

  /** Appends the marker as one RowBinary row; {@code partition}/{@code offset} record where it was read. */
  public static void encode(ReleaseMarker release, int partition, long offset, RowBinaryBuffer out) {
    if (release.getTenantId().isEmpty() || release.getReleaseId().isEmpty()) {
      throw new IllegalArgumentException("release marker '" + release.getReleaseId() + "' of tenant '" + release.getTenantId()
          + "' of " + release.getServiceName() + ": both the release id and the tenant must be set");
    }
    out.string(release.getReleaseId()).string(release.getTenantId()).string(release.getServiceName())
        .nullableString(release.getEnvironment()).nullableString(release.getAppVersion()).nullableString(release.getPromptName())
        .nullableString(release.getPromptVersion()).dateTime64Micros(release.getReleasedAt())
        .nullableString(release.getReleasedBy()).nullableString(release.getNote()).dateTime64Micros(release.getReceivedAt());
    out.int32(partition).int64(offset);
  }
}
