/**
 * Kafka Streams applications: redaction, trace assembly, windowed metrics, alerting.
 *
 * <p>This module is a placeholder in the build until its issue lands; it depends on {@code schemas}
 * only, never on the other pipeline modules.
 */
package io.llmtrace.processors;
