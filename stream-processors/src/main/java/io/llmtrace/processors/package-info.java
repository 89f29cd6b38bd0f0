/**
 * The Kafka Streams applications of the pipeline, one package per application in pipeline order, each
 * built by one topology method that its tests call, run by {@link io.llmtrace.processors.common.StreamsRunner}
 * (exactly_once_v2, admin port with {@code /metrics} and {@code /health}):
 *
 * <pre>
 * [llm.spans.raw] ─▶ redact/    ─▶ [llm.spans.redacted], [llm.redaction.events]
 *                    (redaction/: the detector and policy library, Kafka-free;
 *                     enrich/: prices, model names and output validation, Kafka-free)
 * [llm.spans.redacted] ─▶ assemble/  ─▶ [llm.traces]
 * [llm.spans.redacted], [llm.traces] ─▶ aggregate/ ─▶ [llm.metrics]
 * [llm.metrics], [llm.redaction.events], [llm.spans.redacted], [llm.releases] ─▶ alert/ ─▶ [llm.alerts]
 *                    (alert/forward/: llm.alerts to Prometheus Alertmanager; a plain consumer, not Kafka Streams)
 * [llm.traces], [llm.spans.redacted], [llm.alerts] ─▶ review/ ─▶ [llm.review]
 * common/: the runner, the typed topic catalog ({@link io.llmtrace.processors.common.PipelineTopics}), shared
 *          settings, dead-letter headers, the record reader of the stages that repartition.
 * </pre>
 *
 * This module depends on {@code schemas} only, never on the other pipeline modules.
 */
package io.llmtrace.processors;
