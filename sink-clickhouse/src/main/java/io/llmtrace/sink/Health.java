package io.llmtrace.sink;

import java.util.List;

/** What {@code /health} reports: up only if ClickHouse answers and no worker has failed. */
public record Health(boolean clickhouseReachable, List<Worker> workers) {

  public record Worker(String table, String topic, String state) {}

  public boolean up() {
    return clickhouseReachable && workers.stream().noneMatch(worker -> worker.state().startsWith("failed"));
  }

  public String toJson() {
    StringBuilder json = new StringBuilder("{\"status\":\"").append(up() ? "UP" : "DOWN")
        .append("\",\"clickhouse\":{\"reachable\":").append(clickhouseReachable).append("},\"workers\":[");
    for (int i = 0; i < workers.size(); i++) {
      Worker worker = workers.get(i);
      json.append(i == 0 ? "" : ",").append("{\"table\":\"").append(escape(worker.table()))
          .append("\",\"topic\":\"").append(escape(worker.topic()))
          .append("\",\"state\":\"").append(escape(worker.state())).append("\"}");
    }
    return json.append("]}").toString();
  }

  private static String escape(String value) {
    StringBuilder out = new StringBuilder();
    for (char c : value.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
