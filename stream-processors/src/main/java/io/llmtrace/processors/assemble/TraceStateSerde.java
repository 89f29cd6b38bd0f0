package io.llmtrace.processors.assemble;

import io.llmtrace.processors.assemble.state.TraceState;
import io.llmtrace.processors.common.AvroStateSerde;

/** The trace-assembly store's value format (see {@link AvroStateSerde}). */
public final class TraceStateSerde {

  private static final AvroStateSerde<TraceState> SERDE = new AvroStateSerde<>(TraceState.class);

  private TraceStateSerde() {}

  public static AvroStateSerde<TraceState> serde() {
    return SERDE;
  }

  public static byte[] write(TraceState state) {
    return SERDE.write(state);
  }

  public static TraceState read(byte[] bytes) {
    return SERDE.read(bytes);
  }
}
