package io.llmtrace.bench;

import java.time.Instant;

/**
 * Equivalent request bodies for the two servers: one trace of 10 LLM spans of about 1.2 KB each, the
 * same prompt, output, model and token content, as llmtrace native JSON and as Zipkin v2 JSON (where
 * the LLM fields travel as tags, the way Zipkin users send them). {@value #TRACE_ID} marks where the
 * load generator puts a fresh trace id for every request.
 */
final class Payloads {

  static final String TRACE_ID = "TRACE_ID_PLACEHOLDER_0123456789A";
  static final int SPANS = 10;

  private static final String SYSTEM = "You are the support assistant of ACME Cloud. Classify the customer's ticket into billing, outage, "
      + "account or feature-request, extract the product and the urgency, and draft a short, polite first answer that cites the "
      + "relevant help-center article. Never promise refunds; escalate outages to the on-call engineer.";
  private static final String USER = "Hi, our invoice for October shows 3 seats of the Team plan but we downgraded to 2 seats on "
      + "September 28th. Can you correct the invoice and tell me whether the extra seat will be credited? Thanks, Jane";
  private static final String OUTPUT = "Category: billing. Product: Team plan. Urgency: normal. Draft: Hi Jane, thanks for reaching "
      + "out. Seat changes apply from the next billing cycle (see Help Center: Changing seats).";

  private Payloads() {}

  static String nativeBody(Instant at) {
    long start = at.getEpochSecond() * 1_000_000L;
    StringBuilder body = new StringBuilder("{\"spans\":[");
    for (int i = 0; i < SPANS; i++) {
      body.append(i == 0 ? "" : ",").append("""
          {"trace_id":"%s","span_id":"%016x","parent_span_id":"%016x","name":"chat gpt-4o","kind":"LLM",\
          "start_time":%d,"end_time":%d,"environment":"production","service_name":"support-bot","feature_name":"ticket-triage",\
          "prompt":{"name":"triage","version":"v35","messages":[{"role":"system","content":"%s"},{"role":"user","content":"%s"}]},\
          "model":{"provider":"openai","name":"gpt-4o"},"usage":{"input_tokens":1200,"output_tokens":80},\
          "output":{"text":"%s","finish_reason":"stop"},"attributes":{"customer.tier":"gold"}}"""
          .formatted(TRACE_ID, 0x1000 + i + 1, 0x1000, start + i * 1000L, start + i * 1000L + 850_000L, SYSTEM, USER, OUTPUT));
    }
    return body.append("]}").toString();
  }

  static String zipkinBody(Instant at) {
    long start = at.getEpochSecond() * 1_000_000L;
    StringBuilder body = new StringBuilder("[");
    for (int i = 0; i < SPANS; i++) {
      body.append(i == 0 ? "" : ",").append("""
          {"traceId":"%s","id":"%016x","parentId":"%016x","name":"chat gpt-4o","kind":"CLIENT",\
          "timestamp":%d,"duration":850000,"localEndpoint":{"serviceName":"support-bot"},\
          "tags":{"deployment.environment":"production","llmtrace.feature_name":"ticket-triage","llmtrace.prompt.name":"triage",\
          "llmtrace.prompt.version":"v35","gen_ai.system_instructions":"%s","gen_ai.input.messages":"%s",\
          "gen_ai.provider.name":"openai","gen_ai.request.model":"gpt-4o","gen_ai.usage.input_tokens":"1200",\
          "gen_ai.usage.output_tokens":"80","gen_ai.output.messages":"%s","gen_ai.response.finish_reasons":"stop","customer.tier":"gold"}}"""
          .formatted(TRACE_ID, 0x1000 + i + 1, 0x1000, start + i * 1000L, SYSTEM, USER, OUTPUT));
    }
    return body.append("]").toString();
  }
}
