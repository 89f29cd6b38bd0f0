package io.llmtrace.gateway.intake;

/**
 * One span the gateway would not accept: its position in the request, the path of the offending
 * field (JSONPath for native spans, e.g. {@code $.spans[3].start_time}; the OTLP message path for
 * OTLP, e.g. {@code resourceSpans[0].scopeSpans[0].spans[2].traceId}) and a reason a human can act on.
 */
public record Rejection(int index, String path, String reason) {}
