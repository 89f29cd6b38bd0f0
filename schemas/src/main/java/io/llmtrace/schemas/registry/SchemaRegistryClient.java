package io.llmtrace.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmtrace.schemas.registry.SchemaRegistryException.Call;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A client for the Confluent Schema Registry REST API (v1 content type), the subset the serde and
 * the build need: register, look up, fetch by id or subject version, and test compatibility. It works
 * with any Confluent-compatible registry (Confluent, Apicurio's {@code /apis/ccompat/v7}, Karapace,
 * Redpanda): base URLs may carry a path. Schema ids and registrations are cached for the client's
 * life, because an id never changes meaning; "latest" lookups are not, because latest moves.
 * Thread-safe; share one instance per registry.
 */
public final class SchemaRegistryClient {

  /** Default time to establish a TCP connection. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** Default time for a whole request, connection excluded. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistryTransport transport;
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
  private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

  private SchemaRegistryClient(Builder builder) {
    this.transport =
        new RegistryTransport(
            builder.urls, builder.basicAuthUserInfo, builder.connectTimeout, builder.requestTimeout, JSON);
  }

  /**
   * Starts a client for one or more registries. {@code urls} is comma-separated; the client fails
   * over to the next one when a registry cannot be reached. Credentials in a URL
   * ({@code http://user:pass@host}) are used for Basic auth unless set explicitly.
   */
  public static Builder builder(String urls) {
    return new Builder(splitUrls(urls));
  }

  /** Same as {@link #builder(String)} for an already split list of URLs. */
  public static Builder builder(List<String> urls) {
    return new Builder(urls);
  }

  /** The registry base URLs this client talks to (without credentials), comma-separated. */
  public String url() {
    return transport.urls();
  }

  /**
   * Registers {@code schema} under {@code subject} (or finds it already registered) and returns its
   * id. Cached: registering the same schema under the same subject again costs no request.
   */
  public int register(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(subject, schema);
    Integer cached = idsBySubjectSchema.get(key);
    if (cached != null) {
      return cached;
    }
    Call call = Call.onSubject("registering a schema under", subject);
    JsonNode answer =
        transport.post("/subjects/" + encode(subject) + "/versions", body(schema), call);
    int id = requiredInt(answer, "id", call);
    remember(key, id);
    return id;
  }

  /**
   * Returns the id of exactly this schema under {@code subject}, without registering it. Cached.
   *
   * @throws SchemaRegistryException with status 404 when the subject or the schema is not there
   */
  public int lookupId(String subject, Schema schema) {
    Integer cached = idsBySubjectSchema.get(new SubjectSchema(subject, schema));
    return cached != null ? cached : lookup(subject, schema).id();
  }

  /** Looks up this schema under {@code subject} (POST /subjects/{subject}), returning id and version. */
  public RegisteredSchema lookup(String subject, Schema schema) {
    Call call = Call.onSubject("looking up a schema under", subject);
    JsonNode answer = transport.post("/subjects/" + encode(subject), body(schema), call);
    int id = requiredInt(answer, "id", call);
    int version = requiredInt(answer, "version", call);
    remember(new SubjectSchema(subject, schema), id);
    return new RegisteredSchema(subject, id, version, schema);
  }

  /** Fetches the schema with this global id. Cached forever: ids are immutable. */
  public Schema getById(int id) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    Call call = Call.byId(id);
    JsonNode answer = transport.get("/schemas/ids/" + id, call);
    Schema schema = parseSchema(answer, call);
    Schema raced = schemasById.putIfAbsent(id, schema);
    return raced != null ? raced : schema;
  }

  /** Fetches a version of a subject; {@code version} is a number or {@code "latest"}. Not cached. */
  public RegisteredSchema getBySubjectVersion(String subject, String version) {
    Call call = Call.onSubject("fetching version " + version + " of", subject);
    JsonNode answer =
        transport.get("/subjects/" + encode(subject) + "/versions/" + encode(version), call);
    int id = requiredInt(answer, "id", call);
    Schema schema = schemasById.computeIfAbsent(id, unused -> parseSchema(answer, call));
    return new RegisteredSchema(subject, id, requiredInt(answer, "version", call), schema);
  }

  /** Fetches a numbered version of a subject. */
  public RegisteredSchema getBySubjectVersion(String subject, int version) {
    return getBySubjectVersion(subject, Integer.toString(version));
  }

  /** Fetches the latest version of a subject. Not cached: the next registration changes it. */
  public RegisteredSchema getLatest(String subject) {
    return getBySubjectVersion(subject, "latest");
  }

  /**
   * Asks the registry whether {@code schema} may be registered next under {@code subject}, by the
   * subject's configured compatibility level. A subject with no versions yet accepts anything.
   */
  public CompatibilityResult testCompatibility(String subject, Schema schema) {
    Call call = Call.onSubject("testing compatibility under", subject);
    JsonNode answer;
    try {
      answer =
          transport.post(
              "/compatibility/subjects/" + encode(subject) + "/versions/latest?verbose=true",
              body(schema),
              call);
    } catch (SchemaRegistryException e) {
      Integer code = e.errorCode();
      if (e.isNotFound()
          && code != null
          && (code == SchemaRegistryException.SUBJECT_NOT_FOUND
              || code == SchemaRegistryException.VERSION_NOT_FOUND)) {
        return new CompatibilityResult(true, List.of("subject '" + subject + "' has no versions yet"));
      }
      throw e;
    }
    JsonNode verdict = answer.get("is_compatible");
    if (verdict == null || !verdict.isBoolean()) {
      throw SchemaRegistryException.badResponse(url(), call, "no boolean is_compatible in " + answer, null);
    }
    List<String> messages = new ArrayList<>();
    JsonNode reasons = answer.get("messages");
    if (reasons != null && reasons.isArray()) {
      reasons.forEach(reason -> messages.add(reason.asText()));
    }
    return new CompatibilityResult(verdict.booleanValue(), messages);
  }

  private void remember(SubjectSchema key, int id) {
    idsBySubjectSchema.put(key, id);
    schemasById.putIfAbsent(id, key.schema());
  }

  private Schema parseSchema(JsonNode answer, Call call) {
    JsonNode type = answer.get("schemaType");
    if (type != null && !type.isNull() && !"AVRO".equalsIgnoreCase(type.asText())) {
      throw SchemaRegistryException.badResponse(
          url(), call, "the schema is of type " + type.asText() + ", not AVRO", null);
    }
    JsonNode text = answer.get("schema");
    if (text == null || !text.isTextual()) {
      throw SchemaRegistryException.badResponse(url(), call, "no schema string in the answer", null);
    }
    try {
      // A fresh parser per schema: a parser refuses to see the same named type twice.
      return new Schema.Parser().parse(text.asText());
    } catch (SchemaParseException e) {
      throw SchemaRegistryException.badResponse(url(), call, "invalid Avro schema: " + e.getMessage(), e);
    }
  }

  private int requiredInt(JsonNode answer, String field, Call call) {
    JsonNode value = answer == null ? null : answer.get(field);
    if (value == null || !value.canConvertToInt()) {
      throw SchemaRegistryException.badResponse(url(), call, "no integer '" + field + "' in " + answer, null);
    }
    return value.intValue();
  }

  private static Map<String, String> body(Schema schema) {
    // No schemaType: AVRO is the default everywhere, and older registries reject unknown fields.
    return Map.of("schema", schema.toString());
  }

  /** Subjects are path segments: a subject with '/' or spaces must not change the URL's shape. */
  private static String encode(String segment) {
    Objects.requireNonNull(segment, "subject");
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static List<String> splitUrls(String urls) {
    Objects.requireNonNull(urls, "urls");
    return Arrays.stream(urls.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private record SubjectSchema(String subject, Schema schema) {}

  /** Settings of a {@link SchemaRegistryClient}; defaults are the {@code DEFAULT_*} constants. */
  public static final class Builder {
    private final List<String> urls;
    private String basicAuthUserInfo;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;

    private Builder(List<String> urls) {
      Objects.requireNonNull(urls, "urls");
      if (urls.isEmpty()) {
        throw new IllegalArgumentException("at least one schema registry URL is required");
      }
      this.urls = List.copyOf(urls);
    }

    /** Basic auth credentials as {@code user:password} (Confluent's {@code basic.auth.user.info}). */
    public Builder basicAuthUserInfo(String userInfo) {
      if (userInfo != null && !userInfo.contains(":")) {
        throw new IllegalArgumentException("basic auth user info must be 'user:password'");
      }
      this.basicAuthUserInfo = userInfo;
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connect timeout");
      return this;
    }

    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive(timeout, "request timeout");
      return this;
    }

    public SchemaRegistryClient build() {
      return new SchemaRegistryClient(this);
    }

    private static Duration positive(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + value);
      }
      return value;
    }
  }
}
