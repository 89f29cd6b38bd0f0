package io.llmtrace.bench;

import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.testing.TestSpans;
import io.llmtrace.schemas.testing.TestTraces;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;

/**
 * Redacted spans the way traces arrive at the assembler: traces of 3–8 spans (a WORKFLOW root and
 * children drawn from the shared fixtures: LLM calls with prompt, model, usage and cost, retrievals,
 * tool calls, policy checks with evaluations that pass or fail, now and then a fully populated failed
 * call with feedback), a few traces in flight at once so that one trace's spans are interleaved with
 * its neighbours' but close together, children first and the root last (a root ends after its
 * children, and exporters send a span when it ends). Record timestamps advance at a fixed number of
 * spans per second, so stream time moves as it does when a backlog is replayed.
 *
 * <p>With a {@link Spread}, each trace belongs to one of a number of tenants and carries one of a number
 * of {@code customer_tier} attribute values on all its spans, both drawn from the trace's index (no random
 * draws, so the spans' shapes and order are the same as without it): the metrics stage groups by both,
 * which multiplies the distinct groups per window by tenants × tiers.
 *
 * <p>Deterministic for a seed. The spans handed to {@link Sink#accept} are reused templates, valid only
 * during the call: a producer serializes them inside {@code send}, which is what makes this fast.
 */
final class TraceTraffic {

  /** Traces in flight at once. */
  static final int WINDOW = 8;
  static final int MIN_SPANS = 3;
  static final int MAX_SPANS = 8;

  /** Receives each span; {@code last} is true for the final span of its trace (always its root). */
  interface Sink {
    void accept(LlmSpan span, long timestampMs, int spansInTrace, boolean last);
  }

  /** What was generated. */
  record Counts(long spans, long traces) {}

  /** Tenants and tiers traces cycle through: trace i has tenant i mod tenants and tier (i / tenants) mod tiers. */
  record Spread(int tenants, int tiers) {
    /** The fixtures' own tenant and attributes. */
    static final Spread NONE = new Spread(0, 0);

    static final String TIER = "customer_tier";

    Spread {
      if (tenants < 0 || tiers < 0 || (tenants == 0) != (tiers == 0)) {
        throw new IllegalArgumentException("tenants " + tenants + ", tiers " + tiers + ": both positive, or both 0");
      }
    }

    boolean active() {
      return tenants > 0;
    }
  }

  private record Role(LlmSpan template, int weight, long durationMs) {}

  private final Random random;
  private final long startMs;
  private final double spansPerSecond;
  private final LlmSpan[] roots;
  private final List<Role> children;
  private final int totalWeight;
  private final Spread spread;

  TraceTraffic(long seed, long startMs, double spansPerSecond) {
    this(seed, startMs, spansPerSecond, Spread.NONE);
  }

  TraceTraffic(long seed, long startMs, double spansPerSecond, Spread spread) {
    this.spread = spread;
    this.random = new Random(seed);
    this.startMs = startMs;
    this.spansPerSecond = spansPerSecond;
    Instant at = TestSpans.START;
    List<LlmSpan> support = TestTraces.supportTicket(TestSpans.TRACE_ID, at);
    List<LlmSpan> rag = TestSpans.ragTrace(TestSpans.TRACE_ID, at);
    this.roots = new LlmSpan[] {support.get(0), rag.get(0)};
    this.children = List.of(
        new Role(rag.get(2), 25, 2_100),      // support_answer: prompt with messages, model, tools, usage, cost
        new Role(rag.get(1), 15, 300),        // help_center.search: retrieval with two documents
        new Role(rag.get(3), 15, 2_100),      // crm_account_lookup: tool execution
        new Role(support.get(1), 15, 620),    // classify_ticket: small LLM call
        new Role(support.get(3), 10, 2_140),  // draft_response
        new Role(support.get(4), 5, 740),     // policy_check: ERROR, failed evaluation
        new Role(support.get(5), 5, 2_280),   // retry_draft_response: attempt 2
        new Role(support.get(6), 8, 780),     // policy_check: passed evaluation
        new Role(TestSpans.fullyPopulated(), 2, 2_100)); // every field, errored, evaluated, with feedback
    this.totalWeight = children.stream().mapToInt(Role::weight).sum();
    if (spread.active()) { // the tier is written into each template's map: give each its own, mutable
      templates().forEach(span -> span.setAttributes(new LinkedHashMap<>(span.getAttributes())));
    }
  }

  /** The record time of the first span. */
  long startMs() {
    return startMs;
  }

  /** Every span shape traces are made of (roots and children); the instances the sink is handed. */
  List<LlmSpan> templates() {
    List<LlmSpan> all = new ArrayList<>(List.of(roots));
    children.forEach(role -> all.add(role.template()));
    return all;
  }

  /** Emits whole traces until at least {@code minSpans} spans were emitted. */
  Counts generate(long minSpans, Sink sink) {
    OpenTrace[] window = new OpenTrace[WINDOW];
    long emitted = 0;
    long traces = 0;
    for (int i = 0; i < WINDOW; i++) {
      window[i] = open(traces++, startMs);
    }
    int open = WINDOW;
    while (open > 0) {
      int slot = random.nextInt(WINDOW);
      while (window[slot] == null) {
        slot = (slot + 1) % WINDOW;
      }
      OpenTrace trace = window[slot];
      long timestamp = startMs + (long) (emitted / spansPerSecond * 1000);
      boolean last = trace.next == trace.roles.length;
      sink.accept(trace.span(), timestamp, trace.roles.length + 1, last);
      emitted++;
      if (last) {
        if (emitted < minSpans) {
          window[slot] = open(traces++, timestamp);
        } else {
          window[slot] = null;
          open--;
        }
      }
    }
    return new Counts(emitted, traces);
  }

  private OpenTrace open(long index, long atMs) {
    int spans = MIN_SPANS + random.nextInt(MAX_SPANS - MIN_SPANS + 1);
    Role[] roles = new Role[spans - 1];
    for (int i = 0; i < roles.length; i++) {
      int pick = random.nextInt(totalWeight);
      for (Role role : children) {
        pick -= role.weight();
        if (pick < 0) {
          roles[i] = role;
          break;
        }
      }
    }
    return new OpenTrace(index, atMs, roles, roots[random.nextInt(roots.length)], spread);
  }

  /** One trace being emitted: its children in order, then its root. */
  private static final class OpenTrace {
    final String traceId;
    final String requestId;
    final String sessionId;
    final String userId;
    final long index;
    final long startMs;
    final Role[] roles;
    final LlmSpan root;
    final String tenantId;
    final String tier;
    int next;
    long childrenEndMs;

    OpenTrace(long index, long startMs, Role[] roles, LlmSpan root, Spread spread) {
      this.index = index;
      this.traceId = "4bf92f3577b34da6" + hex16(index);
      this.requestId = "req-" + traceId.substring(24);
      this.sessionId = "sess-" + Long.toHexString(index % 5_000);
      this.userId = "user-" + Long.toHexString(index % 20_000);
      this.startMs = startMs;
      this.roles = roles;
      this.root = root;
      this.childrenEndMs = startMs + 10;
      this.tenantId = spread.active() ? "tenant-" + index % spread.tenants() : null;
      this.tier = spread.active() ? "tier-" + index / spread.tenants() % spread.tiers() : null;
    }

    /** The next span, written over its role's template. */
    LlmSpan span() {
      String rootId = hex16(index << 4);
      if (next < roles.length) {
        Role role = roles[next++];
        long from = childrenEndMs + 10;
        childrenEndMs = from + role.durationMs();
        return fill(role.template(), hex16(index << 4 | next), rootId, from, childrenEndMs);
      }
      next++;
      return fill(root, rootId, null, startMs, childrenEndMs + 20);
    }

    private LlmSpan fill(LlmSpan span, String spanId, String parentId, long fromMs, long toMs) {
      span.setTraceId(traceId);
      span.setSpanId(spanId);
      span.setParentSpanId(parentId);
      span.setRequestId(requestId);
      span.setSessionId(sessionId);
      span.setUserId(userId);
      span.setStartTime(Instant.ofEpochMilli(fromMs));
      span.setEndTime(Instant.ofEpochMilli(toMs));
      if (tenantId != null) {
        span.setTenantId(tenantId);
        span.getAttributes().put(Spread.TIER, tier);
      }
      return span;
    }
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  static String hex16(long value) {
    char[] chars = new char[16];
    for (int i = 15; i >= 0; i--) {
      chars[i] = HEX[(int) (value & 0xf)];
      value >>>= 4;
    }
    return new String(chars);
  }
}
