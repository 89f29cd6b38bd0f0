/**
 * HTTP intake for native JSON and OTLP spans; publishes Avro to the raw spans topic.
 *
 * <p>This module is a placeholder in the build until its issue lands; it depends on {@code schemas}
 * only, never on the other pipeline modules.
 */
package io.llmtrace.gateway;
