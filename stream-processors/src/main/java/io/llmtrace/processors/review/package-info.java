/**
 * The human review queue (issue 13): traces that need a person go to {@code llm.review} as {@code ReviewItem}s,
 * one per tenant, trace and reason, with a priority; a reviewer's {@code human_review} evaluation span, posted
 * through the gateway like any span, decides them. {@link io.llmtrace.processors.review.ReviewTopology} draws
 * the flow, {@link io.llmtrace.processors.review.ReviewPolicy} the queue file, and
 * {@link io.llmtrace.processors.review.ReviewApp} runs it.
 */
package io.llmtrace.processors.review;
