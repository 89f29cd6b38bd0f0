package io.llmtrace.stack;

/**
 * How to reach a running stack: what services and tests put into {@code bootstrap.servers},
 * {@code schema.registry.url} and the ClickHouse URL.
 */
public record StackEndpoints(String kafkaBootstrap, String schemaRegistryUrl, String clickhouseUrl) {

  /** clickhouse-jdbc URL for {@code database}; {@code compress=0}: the embedded endpoint has no native LZ4 framing. */
  public String clickhouseJdbcUrl(String database) {
    return "jdbc:clickhouse:" + clickhouseUrl + "/" + database + "?compress=0";
  }
}
