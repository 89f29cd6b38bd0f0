package io.llmtrace.gateway.intake;

import io.llmtrace.schemas.avro.LlmSpan;
import java.util.List;

/** A request body turned into spans: those that passed every check and those that did not. */
public record DecodedBatch(List<LlmSpan> accepted, List<Rejection> rejected) {

  public DecodedBatch {
    accepted = List.copyOf(accepted);
    rejected = List.copyOf(rejected);
  }

  public int total() {
    return accepted.size() + rejected.size();
  }
}
