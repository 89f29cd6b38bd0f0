package io.llmtrace.processors.common;

import io.micrometer.core.instrument.MeterRegistry;

/** Reading a stage's counters in tests: a counter that was never registered reads 0. */
public final class TestMeters {

  private TestMeters() {}

  public static double counter(MeterRegistry registry, String name, String... tags) {
    var search = registry.find(name);
    if (tags.length > 0) {
      search = search.tags(tags);
    }
    var counter = search.counter();
    return counter == null ? 0 : counter.count();
  }
}
