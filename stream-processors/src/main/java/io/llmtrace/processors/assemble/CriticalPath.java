package io.llmtrace.processors.assemble;

import io.llmtrace.processors.assemble.state.SpanDigest;
import io.llmtrace.schemas.avro.CriticalStep;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The critical path of a trace as Jaeger computes it: start at the root's end and walk back in time;
 * at each span, the child that finished last (before the point reached) is on the path, the time between
 * that child's end and the point is the span's own; with no such child, the span's own time runs back to
 * its start and the walk returns to its parent at that start. Children are clipped to their parent's
 * interval first (clock skew), and children that lie outside it are ignored.
 *
 * <p>The sections partition the root's duration. {@link Result#micros()} is the part spent in spans
 * other than the root: how much of the wall time the steps themselves account for, the rest being the
 * root's own time (orchestration, queueing, code between calls). Iterative, so a deep trace cannot
 * overflow the stack; ties (equal ends) go to the lower span id, so the result is order-independent.
 */
final class CriticalPath {

  static final int MAX_STEPS = 10;

  record Result(long micros, List<CriticalStep> steps) {}

  private CriticalPath() {}

  private record Node(SpanDigest span, long start, long end, List<Node> children, Node parent) {}

  static Result compute(List<SpanDigest> spans, String rootId) {
    Map<String, SpanDigest> byId = new HashMap<>();
    for (SpanDigest span : spans) {
      byId.put(span.getSpanId(), span);
    }
    SpanDigest rootSpan = byId.get(rootId);
    if (rootSpan == null) {
      return null;
    }
    Map<String, List<SpanDigest>> children = new HashMap<>();
    for (SpanDigest span : spans) {
      if (span.getParentSpanId() != null && byId.containsKey(span.getParentSpanId()) && !span.getSpanId().equals(rootId)) {
        children.computeIfAbsent(span.getParentSpanId(), k -> new ArrayList<>()).add(span);
      }
    }
    Node root = build(rootSpan, children);
    Map<String, Long> byName = new HashMap<>();
    long onSteps = 0;
    Node current = root;
    long point = root.end();
    // Each iteration descends to a child or returns to the parent with a point before the child's start,
    // so a child is never chosen twice: at most 2 × spans iterations.
    while (current != null) {
      Node last = lastFinishingBefore(current, point);
      long sectionEnd = point;
      if (last != null) {
        long sectionStart = last.end();
        onSteps += charge(current, root, sectionEnd - sectionStart, byName);
        current = last;
        point = last.end();
      } else {
        onSteps += charge(current, root, sectionEnd - current.start(), byName);
        point = current.start();
        current = current.parent();
      }
    }
    return new Result(onSteps, TraceAggregator.steps(byName, MAX_STEPS));
  }

  private static long charge(Node node, Node root, long micros, Map<String, Long> byName) {
    if (node == root || micros <= 0) {
      return 0;
    }
    byName.merge(node.span().getName(), micros, Long::sum);
    return micros;
  }

  /**
   * The child that ends last at or before {@code point} (ties: lower span id). Zero-length children are
   * skipped: they add nothing, and choosing one would leave the walk at the same point.
   */
  private static Node lastFinishingBefore(Node node, long point) {
    Node best = null;
    for (Node child : node.children()) {
      if (child.end() > point || child.end() <= child.start()) {
        continue;
      }
      if (best == null || child.end() > best.end()
          || child.end() == best.end() && child.span().getSpanId().compareTo(best.span().getSpanId()) < 0) {
        best = child;
      }
    }
    return best;
  }

  private static Node build(SpanDigest rootSpan, Map<String, List<SpanDigest>> children) {
    Node root = new Node(rootSpan, rootSpan.getStart(), rootSpan.getEnd(), new ArrayList<>(), null);
    List<Node> stack = new ArrayList<>();
    stack.add(root);
    java.util.Set<String> seen = new java.util.HashSet<>();
    seen.add(rootSpan.getSpanId());
    while (!stack.isEmpty()) {
      Node node = stack.remove(stack.size() - 1);
      for (SpanDigest child : children.getOrDefault(node.span().getSpanId(), List.of())) {
        long start = Math.max(child.getStart(), node.start());
        long end = Math.min(child.getEnd(), node.end());
        if (end < start || !seen.add(child.getSpanId())) {
          continue; // outside its parent, or a cycle in bad parent ids
        }
        Node childNode = new Node(child, start, end, new ArrayList<>(), node);
        node.children().add(childNode);
        stack.add(childNode);
      }
    }
    return root;
  }
}
