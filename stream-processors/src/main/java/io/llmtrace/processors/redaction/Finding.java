package io.llmtrace.processors.redaction;

/** A span of text [start, end) that a detector found sensitive. */
public record Finding(String detector, int start, int end) {}
