package io.llmtrace.processors.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.AbsoluteIri;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.dialect.Dialect;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON Schemas compiled once per distinct schema text ({@code com.networknt:json-schema-validator}), kept in
 * a bounded least-recently-used cache: tool definitions repeat on every call of a feature, so a busy
 * stage compiles each a handful of times, and a stream of unique schemas costs at most the cache's size
 * in memory. A schema that cannot be used (not JSON, not valid against its dialect's meta-schema, a
 * {@code $ref} out of the document, a regex Java cannot compile) is cached as {@link Unusable} too, so it
 * is not retried per span.
 *
 * <p>Schemas come from the spans, so nothing is fetched: only the JSON Schema meta-schemas, which the
 * library ships, may be loaded by IRI (no network, no {@code classpath:} or {@code file:} references).
 * Without {@code $schema}, a schema is read as draft 2020-12 (what OpenAI's and Anthropic's tool schemas
 * are written for); {@code $schema} may name drafts 4 to 2020-12. Validation stops at the first error
 * (fail fast): a check needs a verdict and one place, not every violation of a megabyte of output.
 * Thread-safe.
 */
final class JsonSchemas {

  private static final Logger LOG = LoggerFactory.getLogger(JsonSchemas.class);
  private static final String DEFAULT_DIALECT = SpecificationVersion.DRAFT_2020_12.getDialectId();

  /** A compiled schema or the reason it cannot be used. */
  sealed interface Compiled permits Usable, Unusable {}

  record Usable(Schema schema) implements Compiled {}

  /** {@code reason} is one of the not-run reasons OutputValidation's doc lists (schema_invalid, too_large). */
  record Unusable(String reason) implements Compiled {}

  private final SchemaRegistry registry;
  private final int maxSchemaChars;
  private final Map<String, Compiled> cache;
  private final Map<String, Schema> metaSchemas = new LinkedHashMap<>();

  JsonSchemas(int maxSchemaChars, int maxCachedSchemas) {
    this.maxSchemaChars = maxSchemaChars;
    this.cache = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Compiled> eldest) {
        return size() > maxCachedSchemas;
      }
    };
    SchemaRegistryConfig config = SchemaRegistryConfig.builder()
        .failFast(true)
        .regularExpressionFactory(RegexBudget.INSTANCE)
        .build();
    this.registry = SchemaRegistry.withDefaultDialectId(DEFAULT_DIALECT, builder -> builder
        .schemaRegistryConfig(config)
        .schemaLoader(loader -> loader.allow(JsonSchemas::isMetaSchema)));
  }

  /** The meta-schemas of the drafts, which the library maps to copies it ships; nothing else is loaded. */
  private static boolean isMetaSchema(AbsoluteIri iri) {
    String text = iri.toString();
    return text.startsWith("https://json-schema.org/") || text.startsWith("http://json-schema.org/");
  }

  /** The schema for {@code text}, compiled on first use; {@code node} is the already parsed text. */
  synchronized Compiled get(String text, JsonParse parse) {
    Compiled known = cache.get(text);
    if (known != null) {
      return known;
    }
    Compiled compiled = compile(text, parse);
    cache.put(text, compiled);
    return compiled;
  }

  synchronized int cachedSchemas() {
    return cache.size();
  }

  /** How a schema's text is parsed: the validator's own, size- and depth-limited, mapper. */
  interface JsonParse {
    /** @return the value, or null when the text is not one JSON value */
    JsonNode read(String text);
  }

  private Compiled compile(String text, JsonParse parse) {
    if (text.length() > maxSchemaChars) {
      return new Unusable("too_large");
    }
    JsonNode node = parse.read(text);
    if (node == null || !(node.isObject() || node.isBoolean())) {
      return new Unusable("schema_invalid");
    }
    try {
      Schema meta = metaSchema(node);
      if (!meta.validate(node).isEmpty()) {
        LOG.debug("schema {} is not valid against {}", Integer.toHexString(text.hashCode()), meta.getSchemaLocation());
        return new Unusable("schema_invalid");
      }
      Schema schema = registry.getSchema(node);
      schema.initializeValidators(); // resolves $refs now, so a dangling one is found here, not per span
      return new Usable(schema);
    } catch (RuntimeException | StackOverflowError e) {
      // any failure to build the schema is the schema's fault, never the span's or the stage's
      LOG.debug("schema {} cannot be compiled: {}", Integer.toHexString(text.hashCode()), e.getClass().getSimpleName());
      return new Unusable("schema_invalid");
    }
  }

  private Schema metaSchema(JsonNode schema) {
    JsonNode declared = schema.isObject() ? schema.get("$schema") : null;
    String iri = declared != null && declared.isTextual() ? declared.textValue() : DEFAULT_DIALECT;
    Dialect dialect = registry.getDialect(iri); // unknown dialects throw: an unusable schema
    return metaSchemas.computeIfAbsent(dialect.getId(), id -> registry.getSchema(SchemaLocation.of(id)));
  }
}
