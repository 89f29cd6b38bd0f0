package io.llmtrace.processors.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/**
 * A stream application's health as a report, not a throw: up while Kafka Streams is running or
 * rebalancing (restoring state counts as up: it is progress, and the supervisor must not kill it).
 */
public record StreamsHealth(String application, KafkaStreams.State state, String failure) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public boolean up() {
    return state.isRunningOrRebalancing() || state == KafkaStreams.State.CREATED;
  }

  public String toJson() {
    Map<String, String> report = new LinkedHashMap<>();
    report.put("status", up() ? "UP" : "DOWN");
    report.put("application", application);
    report.put("state", state.name());
    if (failure != null) {
      report.put("failure", failure);
    }
    try {
      return JSON.writeValueAsString(report);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
