package io.llmtrace.gateway.http;

/** The intake protocols, each with its decoder and the way it answers. */
enum Protocol {
  NATIVE("native", "application/json"),
  OTLP_PROTOBUF("otlp", "application/x-protobuf"),
  OTLP_JSON("otlp", "application/json");

  final String metricName;
  final String contentType;

  Protocol(String metricName, String contentType) {
    this.metricName = metricName;
    this.contentType = contentType;
  }

  boolean isOtlp() {
    return this != NATIVE;
  }
}
