package io.llmtrace.gateway.otlp;

import io.llmtrace.gateway.intake.DecodedBatch;
import io.llmtrace.gateway.intake.InvalidRequestException;
import io.llmtrace.gateway.intake.Rejection;
import io.llmtrace.gateway.intake.SpanIntake;
import io.llmtrace.gateway.otlp.ResourceMapping.ResourceContext;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.PromptInfo;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.SpanEvent;
import io.llmtrace.schemas.avro.SpanStatus;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps an OTLP trace export onto LlmSpans, one per OTLP span, each either accepted (after
 * {@link SpanIntake#admit truncation and validation}) or rejected with its flat index across the
 * request and the OTLP path of the offending field ({@code resourceSpans[0].scopeSpans[1].spans[2].traceId}).
 * A bad span never fails the request; only too many spans does ({@code too_many_spans}).
 * {@code tenant_id} is left empty: the HTTP layer stamps it from the API key ({@code Tenancy.apply}).
 * Stateless and thread-safe; one instance serves all requests.
 *
 * <p>Attribute keys, by LlmSpan field. A key listed earlier wins over later ones whatever their order
 * in the span, and a losing value that differs is kept in {@code attributes}. R = resource attribute,
 * E = span event, the rest are span attributes:
 * <pre>
 * service_name       service.name (R)
 * environment        deployment.environment.name (R), deployment.environment (R)
 * app_version        llmtrace.release (R), service.version (R), app.version (R)
 * project_id         llmtrace.project (span, R)
 * feature_name       llmtrace.feature_name, llmtrace.feature (span, R)
 * session_id         llmtrace.session_id, gen_ai.conversation.id, session.id
 * user_id            llmtrace.user_id, user.id, enduser.id
 * request_id         llmtrace.request_id, request.id, http.request.id, gen_ai.response.id
 * kind               llmtrace.span.kind (our symbols), openinference.span.kind, gen_ai.operation.name
 *                    (kept as attribute), else LLM if a model/tokens/messages, EMBEDDING, TOOL,
 *                    RETRIEVAL if documents, else UNKNOWN
 * status, error_*    OTLP status; error.type; exception event (exception.type/.message, ERROR only)
 * attempt            llmtrace.attempt, http.request.resend_count + 1
 * retry_of_span_id   llmtrace.retry_of, llmtrace.retry_of_span_id
 * fallback           llmtrace.fallback
 * rate_limited       llmtrace.rate_limited, http.response.status_code = 429 (kept), error.type ~ rate limit
 * timed_out          llmtrace.timed_out, error.type / exception.type ~ timeout
 * prompt.name        llmtrace.prompt.name, gen_ai.prompt.name, llm.prompt_template.name; else, when the span
 *                    has a prompt version or template, the span name; an EVALUATION span (or an UNKNOWN one
 *                    carrying evaluations) without a prompt takes its parent's name, version and template id
 *                    when the parent is in the same request. llmtrace.prompt.name_source then says which:
 *                    llm.prompt_template.name, span_name or parent_span (absent for the prompt name keys)
 * prompt.version     llmtrace.prompt.version, gen_ai.prompt.version, llm.prompt_template.version
 * prompt.template_id llmtrace.prompt.template_id
 * prompt.template    llmtrace.prompt.template, llm.prompt_template.template
 * prompt.variables   llmtrace.prompt.variables.&lt;name&gt;, llm.prompt_template.variables (JSON)
 * prompt.messages    gen_ai.system_instructions (prepended); gen_ai.input.messages,
 *                    llm.input_messages.N.message.*, gen_ai.prompt (JSON or text), gen_ai.prompt.N.*,
 *                    E gen_ai.{system,user,assistant,tool}.message, E gen_ai.content.prompt,
 *                    input.value (LLM, not JSON)
 * model.provider     gen_ai.provider.name, llm.provider, gen_ai.system, llm.system
 * model.name         gen_ai.request.model, llm.model_name, gen_ai.response.model (if no request model),
 *                    reranker.model_name, embedding.model_name (non-retrieval spans)
 * model.version      llmtrace.model.version, gen_ai.response.model when it differs from the request model
 * model.region       llmtrace.model.region
 * generation_settings gen_ai.request.{temperature,max_tokens,top_p,seed}, gen_ai.output.type
 *                    (response_format), llm.invocation_parameters (JSON: temperature, top_p, max_tokens,
 *                    max_completion_tokens, seed, response_format, tool_choice; kept whole unless all
 *                    mapped; a response_format.json_schema.schema is also kept as the attribute
 *                    llmtrace.response_format.schema, which output validation reads);
 *                    tools: gen_ai.tool.definitions, llm.tools.N.tool.json_schema
 * output.text        gen_ai.output.messages, llm.output_messages.N.message.*, gen_ai.completion,
 *                    gen_ai.completion.N.*, E gen_ai.choice, E gen_ai.content.completion,
 *                    output.value (LLM not JSON, AGENT)
 * output.finish_reason gen_ai.response.finish_reasons (joined by ','), then the message lists'
 * output.tool_calls  tool-call parts / tool_calls of the output messages above
 * usage.*            gen_ai.usage.{input,output}_tokens, llm.token_count.{prompt,completion,total},
 *                    gen_ai.usage.{prompt,completion,total}_tokens, llm.usage.total_tokens;
 *                    cache: gen_ai.usage.cache_read.input_tokens, gen_ai.usage.cache_creation.input_tokens,
 *                    llm.token_count.prompt_details.cache_{read,write}, gen_ai.usage.cache_read_input_tokens,
 *                    gen_ai.usage.cache_creation_input_tokens; reasoning: gen_ai.usage.reasoning.output_tokens,
 *                    llm.token_count.completion_details.reasoning, gen_ai.usage.reasoning_tokens;
 *                    total = input + output when not reported
 * cost               llmtrace.cost.amount, llm.cost.total (REPORTED); llmtrace.cost.currency
 * retrieval          retrieval.documents.N.document.{id,content,score}, else
 *                    reranker.output_documents.N.document.* (rerank_score); query: reranker.query,
 *                    input.value (RETRIEVER/RERANKER); llmtrace.retrieval.index(_version);
 *                    embedding_model: embedding.model_name on retrieval spans
 * tool_execution     gen_ai.tool.name, tool.name, tool_call.function.name; arguments:
 *                    gen_ai.tool.call.arguments, tool_call.function.arguments, input.value (TOOL);
 *                    result: gen_ai.tool.call.result, output.value (TOOL); status from the span status;
 *                    call_id (the model's tool call it answers): llmtrace.tool.call_id, gen_ai.tool.call.id,
 *                    tool_call.id
 * evaluations        gen_ai.evaluation.{name,score.value,score.label,explanation}, E gen_ai.evaluation.result;
 *                    a label pass/fail also sets passed
 * policy_severity    llmtrace.policy.severity, gen_ai.security.risk.severity (span), else the worst
 *                    gen_ai.security.risk.severity of E gen_ai.security.finding; only low, medium, high,
 *                    critical (any case; others, such as none, stay attributes); gen_ai.operation.name
 *                    apply_guardrail makes a GUARDRAIL span
 * citation_coverage  llmtrace.citation_coverage, a number in 0..1 (else kept as an attribute)
 * (kept as is)       gen_ai.operation.name, gen_ai.agent.*, http.response.status_code,
 *                    input/output.mime_type: no field holds them fully
 * attributes         everything else, stringified (arrays and kvlists as compact JSON), plus the
 *                    resource's unmapped attributes, otel.scope.name/version, span.kind (non-internal
 *                    OTLP kinds) and otel.links (JSON)
 * events             every OTLP event, the ones read as messages included (time 0 → span start)
 * </pre>
 */
public final class OtlpSpanMapper {

  public static final String TOO_MANY_SPANS = "too_many_spans";

  private static final Logger LOG = LoggerFactory.getLogger(OtlpSpanMapper.class);
  private static final int TRACE_ID_BYTES = 16;
  private static final int SPAN_ID_BYTES = 8;
  private static final Comparator<SpanEvent> BY_TIME = Comparator.comparing(SpanEvent::getTime);

  /** @throws InvalidRequestException ({@value #TOO_MANY_SPANS}) when the request exceeds the span limit */
  public DecodedBatch map(ExportTraceServiceRequest request, SpanIntake intake) {
    int total = spanCount(request);
    int limit = intake.limits().maxSpansPerRequest();
    if (total > limit) {
      throw new InvalidRequestException(TOO_MANY_SPANS,
          "the request carries " + total + " spans; at most " + limit + " are accepted per request");
    }
    List<LlmSpan> accepted = new ArrayList<>(total);
    List<Rejection> rejected = new ArrayList<>(0);
    int index = 0;
    for (int r = 0; r < request.getResourceSpansCount(); r++) {
      ResourceSpans resourceSpans = request.getResourceSpans(r);
      ResourceContext resource = ResourceMapping.of(resourceSpans.getResource());
      for (int s = 0; s < resourceSpans.getScopeSpansCount(); s++) {
        ScopeSpans scopeSpans = resourceSpans.getScopeSpans(s);
        Map<String, String> inherited = ResourceMapping.inherited(resource, scopeSpans.getScope());
        String scopePath = "resourceSpans[" + r + "].scopeSpans[" + s + "].spans[";
        for (int i = 0; i < scopeSpans.getSpansCount(); i++) {
          String path = scopePath + i + "]";
          Rejection rejection = mapSpan(scopeSpans.getSpans(i), index, path, resource, inherited, intake, accepted);
          if (rejection != null) {
            rejected.add(rejection);
          }
          index++;
        }
      }
    }
    attributeEvaluations(accepted);
    return new DecodedBatch(accepted, rejected);
  }

  /**
   * An evaluation span judges its parent and names no prompt of its own, so per-prompt quality could not
   * be told from its row: when the judged span came in the same request, the evaluation gets that span's
   * prompt name, version and template id (not its text), marked {@code llmtrace.prompt.name_source=parent_span}.
   * A parent exported in another request is attributed downstream (the metrics stage remembers spans' groups).
   */
  private static void attributeEvaluations(List<LlmSpan> spans) {
    Map<String, PromptInfo> prompts = null;
    for (LlmSpan span : spans) {
      if (judgesItsParent(span)) {
        prompts = prompts != null ? prompts : promptsById(spans);
        PromptInfo judged = prompts.get(span.getTraceId() + "/" + span.getParentSpanId());
        if (judged != null) {
          span.setPrompt(PromptInfo.newBuilder().setName(judged.getName()).setVersion(judged.getVersion())
              .setTemplateId(judged.getTemplateId()).build());
          span.getAttributes().put(SpanAssembler.NAME_SOURCE, SpanAssembler.PARENT_SPAN);
        }
      }
    }
  }

  private static boolean judgesItsParent(LlmSpan span) {
    boolean evaluation = span.getKind() == SpanKind.EVALUATION || span.getKind() == SpanKind.UNKNOWN && !span.getEvaluations().isEmpty();
    return evaluation && span.getPrompt() == null && span.getParentSpanId() != null;
  }

  private static Map<String, PromptInfo> promptsById(List<LlmSpan> spans) {
    Map<String, PromptInfo> prompts = new HashMap<>();
    for (LlmSpan span : spans) {
      if (span.getPrompt() != null && span.getPrompt().getName() != null) {
        prompts.put(span.getTraceId() + "/" + span.getSpanId(), span.getPrompt());
      }
    }
    return prompts;
  }

  private static Rejection mapSpan(Span span, int index, String path, ResourceContext resource,
      Map<String, String> inherited, SpanIntake intake, List<LlmSpan> accepted) {
    Rejection malformed = envelope(span, index, path);
    if (malformed != null) {
      return malformed;
    }
    SpanDraft draft = new SpanDraft(inherited, span.getAttributesCount());
    LlmSpan mapped;
    try {
      resource.seed(draft);
      mapped = toLlmSpan(span, draft);
    } catch (RuntimeException e) {
      // A mapping bug must cost one span, not the request; the ids are safe to log, payloads are not.
      LOG.debug("OTLP span {} of trace {} could not be mapped", Hex.encode(span.getSpanId()), Hex.encode(span.getTraceId()), e);
      return new Rejection(index, path, "could not be mapped (" + e.getClass().getSimpleName() + ")");
    }
    Rejection invalid = intake.admit(mapped, index, path, field -> otlpField(field, draft)).orElse(null);
    if (invalid == null) {
      accepted.add(mapped);
    }
    return invalid;
  }

  /** What the validator cannot see once ids are hex and times are Instants: wrong byte counts, zero times. */
  private static Rejection envelope(Span span, int index, String path) {
    String problem;
    if ((problem = idProblem(span.getTraceId().size(), TRACE_ID_BYTES, true)) != null) {
      return new Rejection(index, path + ".traceId", problem);
    }
    if ((problem = idProblem(span.getSpanId().size(), SPAN_ID_BYTES, true)) != null) {
      return new Rejection(index, path + ".spanId", problem);
    }
    if ((problem = idProblem(span.getParentSpanId().size(), SPAN_ID_BYTES, false)) != null) {
      return new Rejection(index, path + ".parentSpanId", problem);
    }
    if ((problem = timeProblem(span.getStartTimeUnixNano())) != null) {
      return new Rejection(index, path + ".startTimeUnixNano", problem);
    }
    if ((problem = timeProblem(span.getEndTimeUnixNano())) != null) {
      return new Rejection(index, path + ".endTimeUnixNano", problem);
    }
    return null;
  }

  private static String idProblem(int size, int expected, boolean required) {
    if (size == 0) {
      return required ? "is required" : null;
    }
    return size == expected ? null
        : "must be " + expected + " bytes (" + expected * 2 + " hex characters), got " + size + " bytes";
  }

  private static String timeProblem(long unixNanos) {
    if (unixNanos == 0) {
      return "is required (got 0)";
    }
    return unixNanos < 0 ? "is out of range (" + Long.toUnsignedString(unixNanos) + " ns is after the year 2262)" : null;
  }

  private static LlmSpan toLlmSpan(Span span, SpanDraft d) {
    LlmSpan mapped = new LlmSpan();
    mapped.setTraceId(Hex.encode(span.getTraceId()));
    mapped.setSpanId(Hex.encode(span.getSpanId()));
    mapped.setParentSpanId(span.getParentSpanId().isEmpty() ? null : Hex.encode(span.getParentSpanId()));
    mapped.setTenantId(""); // stamped from the API key by the HTTP layer
    mapped.setName(span.getName());
    Instant start = instant(span.getStartTimeUnixNano());
    mapped.setStartTime(start);
    mapped.setEndTime(instant(span.getEndTimeUnixNano()));
    status(span.getStatus(), mapped);

    for (KeyValue attribute : span.getAttributesList()) {
      String key = attribute.getKey();
      AnyValue value = attribute.getValue();
      boolean mappedToField = key.startsWith(GenAiMapping.PREFIX)
          ? GenAiMapping.apply(key, value, d)
          : ContextMapping.apply(key, value, d) || OpenInferenceMapping.apply(key, value, d);
      if (!mappedToField) {
        d.attributes.put(key, AttributeValues.render(value));
      }
    }
    mapped.setEvents(events(span, start, d));
    otlpExtras(span, d.attributes);
    SpanAssembler.complete(mapped, d);
    return mapped;
  }

  private static void status(Status status, LlmSpan mapped) {
    switch (status.getCode()) {
      case STATUS_CODE_ERROR -> {
        mapped.setStatus(SpanStatus.ERROR);
        mapped.setErrorMessage(status.getMessage().isEmpty() ? null : status.getMessage());
      }
      case STATUS_CODE_OK -> mapped.setStatus(SpanStatus.OK);
      default -> mapped.setStatus(SpanStatus.UNSET);
    }
  }

  /** Every event is kept; GenAI message events and exceptions are also read into fields. */
  private static List<SpanEvent> events(Span span, Instant start, SpanDraft d) {
    List<SpanEvent> events = new ArrayList<>(span.getEventsCount());
    for (Span.Event event : span.getEventsList()) {
      Map<String, String> attributes = new HashMap<>(Math.max(4, event.getAttributesCount() * 2));
      for (KeyValue attribute : event.getAttributesList()) {
        attributes.put(attribute.getKey(), AttributeValues.render(attribute.getValue()));
      }
      long nanos = event.getTimeUnixNano();
      events.add(new SpanEvent(event.getName(), nanos > 0 ? instant(nanos) : start, attributes));
      if (event.getName().equals("exception")) {
        d.exceptionType = d.exceptionType != null ? d.exceptionType : attributes.get("exception.type");
        d.exceptionMessage = d.exceptionMessage != null ? d.exceptionMessage : attributes.get("exception.message");
      } else if (event.getName().startsWith(GenAiMapping.PREFIX)) {
        GenAiMapping.applyEvent(event, d);
      }
    }
    events.sort(BY_TIME); // LlmSpan lists events in time order; OTLP does not promise it
    return events;
  }

  /** OTLP span kind and links have no LlmSpan field; they are kept the way Jaeger-style exporters name them. */
  private static void otlpExtras(Span span, Map<String, String> attributes) {
    switch (span.getKind()) {
      case SPAN_KIND_CLIENT -> attributes.put("span.kind", "client");
      case SPAN_KIND_SERVER -> attributes.put("span.kind", "server");
      case SPAN_KIND_PRODUCER -> attributes.put("span.kind", "producer");
      case SPAN_KIND_CONSUMER -> attributes.put("span.kind", "consumer");
      default -> {
        // internal and unspecified are the default: nothing worth storing
      }
    }
    if (span.getLinksCount() > 0) {
      StringBuilder links = new StringBuilder(64 * span.getLinksCount()).append('[');
      for (int i = 0; i < span.getLinksCount(); i++) {
        Span.Link link = span.getLinks(i);
        links.append(i > 0 ? "," : "")
            .append("{\"traceId\":\"").append(Hex.encode(link.getTraceId()))
            .append("\",\"spanId\":\"").append(Hex.encode(link.getSpanId())).append('"');
        if (link.getAttributesCount() > 0) {
          AttributeValues.appendObject(links.append(",\"attributes\":"), link.getAttributesList());
        }
        links.append('}');
      }
      attributes.put("otel.links", links.append(']').toString());
    }
  }

  /** Microsecond precision, as the schema stores it; the nanos below are dropped, not rounded. */
  static Instant instant(long unixNanos) {
    return Instant.ofEpochSecond(unixNanos / 1_000_000_000L, (unixNanos % 1_000_000_000L) / 1_000 * 1_000);
  }

  /**
   * Names a violated LlmSpan field as the caller sent it: the OTLP field for ids and times, the source
   * attribute for values read from one ({@code attributes['gen_ai.usage.input_tokens']}).
   */
  static String otlpField(String field, SpanDraft d) {
    return switch (field) {
      case "trace_id" -> "traceId";
      case "span_id" -> "spanId";
      case "parent_span_id" -> "parentSpanId";
      case "start_time" -> "startTimeUnixNano";
      case "end_time" -> "endTimeUnixNano";
      default -> {
        String source = d.sourceOf(field);
        yield source != null ? "attributes['" + source + "']" : field;
      }
    };
  }

  private static int spanCount(ExportTraceServiceRequest request) {
    int total = 0;
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        total += scopeSpans.getSpansCount();
      }
    }
    return total;
  }
}
