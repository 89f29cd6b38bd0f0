package io.llmtrace.sink.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sink's Prometheus metrics, all prefixed {@code llmtrace_sink_} and tagged by {@code table}.
 *
 * <p>Alert on: {@code rate(llmtrace_sink_insert_retries_total[5m]) > 0} for minutes (ClickHouse
 * unreachable or overloaded: the sink is paused, lag grows); {@code llmtrace_sink_lag_records} growing
 * (the sink falls behind); any increase of {@code llmtrace_sink_dead_letters_total} (rows the tables will
 * never have; look at {@code dead_letters}). {@code llmtrace_sink_resent_inserts_total} counts inserts
 * sent again under a token that may already be written (ClickHouse's answer does not say whether it
 * deduplicated one): non-zero after a crash, a rebalance or a retry, by design.
 */
public final class SinkMetrics {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, TableMeters> tables = new ConcurrentHashMap<>();
  private final AtomicLong clickhouseUp = new AtomicLong();

  public SinkMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    Gauge.builder("llmtrace_sink_clickhouse_up", clickhouseUp, AtomicLong::get)
        .description("1 when the last health probe reached ClickHouse").register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  public String scrape() {
    return registry.scrape();
  }

  public void clickhouseUp(boolean up) {
    clickhouseUp.set(up ? 1 : 0);
  }

  public TableMeters table(String table) {
    return tables.computeIfAbsent(table, name -> new TableMeters(registry, name));
  }

  /** The meters of one table's writer. */
  public static final class TableMeters {
    public final Counter recordsRead;
    public final Counter rowsWritten;
    public final Counter resentInserts;
    public final DistributionSummary batchRows;
    public final DistributionSummary batchBytes;
    public final Timer insertLatency;
    public final AtomicLong lag = new AtomicLong();
    public final AtomicLong bufferedBytes = new AtomicLong();
    private final MeterRegistry registry;
    private final String table;

    TableMeters(MeterRegistry registry, String table) {
      this.registry = registry;
      this.table = table;
      recordsRead = Counter.builder("llmtrace_sink_records_read").tag("table", table)
          .description("Records taken from Kafka into batches (a record read again after a rebalance counts again)").register(registry);
      rowsWritten = Counter.builder("llmtrace_sink_rows_written").tag("table", table)
          .description("Rows in successful inserts (a re-sent insert ClickHouse deduplicated counts again)").register(registry);
      resentInserts = Counter.builder("llmtrace_sink_resent_inserts").tag("table", table)
          .description("Inserts sent again with a token that may already be written (retries, batches rebuilt after a "
              + "crash or rebalance); ClickHouse drops the ones it has").register(registry);
      batchRows = DistributionSummary.builder("llmtrace_sink_batch_rows").tag("table", table)
          .description("Rows per insert").publishPercentiles(0.5, 0.95).register(registry);
      batchBytes = DistributionSummary.builder("llmtrace_sink_batch_bytes").tag("table", table).baseUnit("bytes")
          .description("RowBinary bytes per insert").publishPercentiles(0.5, 0.95).register(registry);
      insertLatency = Timer.builder("llmtrace_sink_insert").tag("table", table)
          .description("Duration of successful inserts").publishPercentiles(0.5, 0.95, 0.99)
          .maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
      Gauge.builder("llmtrace_sink_lag_records", lag, AtomicLong::get).tag("table", table)
          .description("Records in the source topic not yet written (sum over assigned partitions)").register(registry);
      Gauge.builder("llmtrace_sink_buffered_bytes", bufferedBytes, AtomicLong::get).tag("table", table).baseUnit("bytes")
          .description("Memory held by open batches").register(registry);
    }

    public void retry(String reason) {
      Counter.builder("llmtrace_sink_insert_retries").tag("table", table).tag("reason", reason)
          .description("Retriable failures (insert, or schema registry while decoding); each is retried with backoff")
          .register(registry).increment();
    }

    public void deadLetters(String errorClass, int count) {
      Counter.builder("llmtrace_sink_dead_letters").tag("table", table).tag("error_class", errorClass)
          .description("Records written to dead_letters instead of the table").register(registry).increment(count);
    }
  }
}
