package io.llmtrace.schemas.evolution;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * Answers "can this reader schema read what that writer schema wrote?" with Avro's own resolution
 * rules, phrased for humans: the schema name and, per problem, its kind, where it is and why. The
 * build's evolution test uses it to keep every schema BACKWARD compatible with its released
 * version; the deserializer uses it to refuse a writer schema before decoding garbage.
 */
public final class CompatibilityGuard {

  private CompatibilityGuard() {}

  /**
   * BACKWARD check of a schema change: empty when {@code current} can read all data written with
   * {@code released}, else a message naming {@code name} and each incompatibility.
   */
  public static Optional<String> checkBackward(String name, Schema current, Schema released) {
    return problems(current, released)
        .map(problems -> name + ": the current schema cannot read data written with the released"
            + " version (BACKWARD incompatible):\n" + problems);
  }

  /** Empty when {@code reader} can read data written with {@code writer}, else the reasons. */
  public static Optional<String> checkCanRead(Schema reader, Schema writer) {
    return problems(reader, writer);
  }

  private static Optional<String> problems(Schema reader, Schema writer) {
    SchemaPairCompatibility pair = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (pair.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      return Optional.empty();
    }
    List<Incompatibility> incompatibilities = pair.getResult().getIncompatibilities();
    return Optional.of(
        incompatibilities.stream()
            .map(i -> "  - " + i.getType() + " at " + i.getLocation() + ": " + i.getMessage())
            .collect(Collectors.joining("\n")));
  }
}
