package io.llmtrace.stack;

/** What a health check found: reported, never thrown. */
public record Health(String service, boolean healthy, String detail) {

  public static Health up(String service, String detail) {
    return new Health(service, true, detail);
  }

  public static Health down(String service, String detail) {
    return new Health(service, false, detail);
  }

  @Override
  public String toString() {
    return String.format("%-11s %s  %s", service, healthy ? "UP  " : "DOWN", detail);
  }
}
