package io.llmtrace.schemas.registry;

import java.util.Objects;
import org.apache.avro.Schema;

/**
 * A schema as stored under a subject: its global id, its version within the subject, and the parsed
 * Avro schema.
 */
public record RegisteredSchema(String subject, int id, int version, Schema schema) {

  public RegisteredSchema {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(schema, "schema");
  }
}
