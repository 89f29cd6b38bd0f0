/**
 * Delivery of alert episodes to Prometheus Alertmanager, so that teams reuse their routing to chat, paging and
 * email:
 *
 * <pre>
 * [llm.alerts] ─▶ AlertmanagerForwarder ─▶ POST /api/v2/alerts (every configured Alertmanager)
 *                  │  AlertmanagerMapping: AlertEvent → PostableAlert (labels = identity and routing, annotations = text)
 *                  │  EpisodeForwarder + OpenEpisodes: post, keep firing episodes, re-post them every resend interval
 *                  └  commit a record's offset only after Alertmanager answered (2xx, or 4xx: skipped)
 * </pre>
 *
 * Kafka-free except {@link io.llmtrace.processors.alert.forward.AlertmanagerForwarder}, the consumer loop.
 */
package io.llmtrace.processors.alert.forward;
