package io.llmtrace.schemas.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.llmtrace.schemas.evolution.CompatibilityGuard;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * An in-process stand-in for a Confluent-compatible schema registry, for UNIT tests only: it speaks
 * the REST subset the client uses (register, lookup, by id, by subject version, compatibility) over
 * real HTTP on 127.0.0.1, records the requests it served, and can require Basic auth or fail on
 * demand. Ids are global and shared by equal schemas, as in the real registries. Integration tests
 * use the real Apicurio registry of the local stack instead.
 */
public final class FakeSchemaRegistry implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  private final HttpServer server;
  private final String basePath;
  private final Map<Integer, Schema> schemasById = new HashMap<>();
  private final Map<Schema, Integer> idsBySchema = new HashMap<>();
  private final Map<String, List<Integer>> versionsBySubject = new LinkedHashMap<>();
  private final List<String> requests = new ArrayList<>();
  private final Deque<Failure> failures = new ArrayDeque<>();
  private String expectedAuthorization;
  private int nextId = 1;

  private FakeSchemaRegistry(String basePath) {
    this.basePath = basePath;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the fake schema registry", e);
    }
    server.createContext(basePath.isEmpty() ? "/" : basePath, this::handle);
    server.start();
  }

  /** A registry serving the API at the server root. */
  public static FakeSchemaRegistry start() {
    return new FakeSchemaRegistry("");
  }

  /** A registry serving the API under {@code basePath}, e.g. {@code /apis/ccompat/v7} like Apicurio. */
  public static FakeSchemaRegistry start(String basePath) {
    return new FakeSchemaRegistry(basePath);
  }

  /** The base URL to configure clients with (includes the base path). */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + basePath;
  }

  /** Registers directly, without HTTP (and without being recorded); returns the global id. */
  public synchronized int register(String subject, Schema schema) {
    Integer id = idsBySchema.get(schema);
    if (id == null) {
      id = nextId++;
      idsBySchema.put(schema, id);
      schemasById.put(id, schema);
    }
    List<Integer> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
    if (!versions.contains(id)) {
      versions.add(id);
    }
    return id;
  }

  /** Ids handed out from now on start at {@code id}, e.g. to make every header byte distinct. */
  public synchronized void nextIdStartsAt(int id) {
    nextId = id;
  }

  /** From now on, requests without these Basic auth credentials get 401. */
  public synchronized void requireBasicAuth(String user, String password) {
    String token = user + ":" + password;
    expectedAuthorization =
        "Basic " + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8));
  }

  /** The next {@code count} requests are answered with this error instead of being served. */
  public synchronized void failNext(int count, int status, int errorCode, String message) {
    for (int i = 0; i < count; i++) {
      failures.add(new Failure(status, errorCode, message));
    }
  }

  /** Requests served so far, as {@code "GET /schemas/ids/1"} (path without the base path). */
  public synchronized List<String> requests() {
    return List.copyOf(requests);
  }

  /** How many served requests start with {@code prefix}, e.g. {@code "GET /schemas/ids/"}. */
  public synchronized long requestCount(String prefix) {
    return requests.stream().filter(r -> r.startsWith(prefix)).count();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath().substring(basePath.length());
      String method = exchange.getRequestMethod();
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      Answer answer;
      synchronized (this) {
        requests.add(method + " " + path);
        answer = answer(exchange, method, path, body);
      }
      byte[] bytes = JSON.writeValueAsBytes(answer.body());
      exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
      exchange.sendResponseHeaders(answer.status(), bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private Answer answer(HttpExchange exchange, String method, String path, byte[] body) {
    if (expectedAuthorization != null
        && !expectedAuthorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
      return error(401, 40101, "Unauthorized");
    }
    Failure failure = failures.poll();
    if (failure != null) {
      return error(failure.status(), failure.errorCode(), failure.message());
    }
    List<String> segments =
        Arrays.stream(path.split("/"))
            .filter(s -> !s.isEmpty())
            .map(s -> URLDecoder.decode(s, StandardCharsets.UTF_8))
            .toList();
    return route(method, segments, body);
  }

  private Answer route(String method, List<String> path, byte[] body) {
    int length = path.size();
    boolean get = method.equals("GET");
    boolean post = method.equals("POST");
    if (get && length == 3 && path.get(0).equals("schemas") && path.get(1).equals("ids")) {
      return byId(path.get(2));
    }
    if (get && length == 1 && path.get(0).equals("subjects")) {
      return new Answer(200, List.copyOf(versionsBySubject.keySet()));
    }
    if (post && length == 3 && path.get(0).equals("subjects") && path.get(2).equals("versions")) {
      return registerOverHttp(path.get(1), body);
    }
    if (post && length == 2 && path.get(0).equals("subjects")) {
      return lookup(path.get(1), body);
    }
    if (get && length == 4 && path.get(0).equals("subjects") && path.get(2).equals("versions")) {
      return version(path.get(1), path.get(3));
    }
    if (post
        && length == 5
        && path.get(0).equals("compatibility")
        && path.get(1).equals("subjects")
        && path.get(3).equals("versions")) {
      return compatibility(path.get(2), path.get(4), body);
    }
    return error(404, 404, "HTTP 404 Not Found");
  }

  private Answer byId(String rawId) {
    Schema schema = parseId(rawId).map(schemasById::get).orElse(null);
    if (schema == null) {
      return error(404, 40403, "Schema " + rawId + " not found");
    }
    return new Answer(200, Map.of("schema", schema.toString()));
  }

  private Answer registerOverHttp(String subject, byte[] body) {
    Schema schema;
    try {
      schema = schemaOf(body);
    } catch (SchemaParseException | IOException e) {
      return error(422, 42201, "Invalid schema: " + e.getMessage());
    }
    return new Answer(200, Map.of("id", register(subject, schema)));
  }

  private Answer lookup(String subject, byte[] body) {
    List<Integer> versions = versionsBySubject.get(subject);
    if (versions == null) {
      return error(404, 40401, "Subject '" + subject + "' not found.");
    }
    Schema schema;
    try {
      schema = schemaOf(body);
    } catch (SchemaParseException | IOException e) {
      return error(422, 42201, "Invalid schema: " + e.getMessage());
    }
    Integer id = idsBySchema.get(schema);
    if (id == null || !versions.contains(id)) {
      return error(404, 40403, "Schema not found");
    }
    return registered(subject, versions.indexOf(id) + 1, id);
  }

  private Answer version(String subject, String version) {
    List<Integer> versions = versionsBySubject.get(subject);
    if (versions == null) {
      return error(404, 40401, "Subject '" + subject + "' not found.");
    }
    int number = version.equals("latest") ? versions.size() : parseId(version).orElse(-1);
    if (number < 1 || number > versions.size()) {
      return error(404, 40402, "Version " + version + " not found.");
    }
    return registered(subject, number, versions.get(number - 1));
  }

  private Answer compatibility(String subject, String version, byte[] body) {
    Answer existing = version(subject, version);
    if (existing.status() != 200) {
      return existing;
    }
    Schema candidate;
    try {
      candidate = schemaOf(body);
    } catch (SchemaParseException | IOException e) {
      return error(422, 42201, "Invalid schema: " + e.getMessage());
    }
    @SuppressWarnings("unchecked")
    int id = (Integer) ((Map<String, Object>) existing.body()).get("id");
    Optional<String> problems = CompatibilityGuard.checkCanRead(candidate, schemasById.get(id));
    return new Answer(
        200,
        Map.of("is_compatible", problems.isEmpty(), "messages", problems.map(List::of).orElse(List.of())));
  }

  private Answer registered(String subject, int version, int id) {
    return new Answer(
        200,
        Map.of("subject", subject, "version", version, "id", id, "schema", schemasById.get(id).toString()));
  }

  private static Schema schemaOf(byte[] body) throws IOException {
    JsonNode request = JSON.readTree(body);
    JsonNode text = request == null ? null : request.get("schema");
    if (text == null || !text.isTextual()) {
      throw new SchemaParseException("no schema string in the request");
    }
    return new Schema.Parser().parse(text.asText());
  }

  private static Optional<Integer> parseId(String text) {
    try {
      return Optional.of(Integer.parseInt(text));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Answer error(int status, int errorCode, String message) {
    return new Answer(status, Map.of("error_code", errorCode, "message", message));
  }

  private record Answer(int status, Object body) {}

  private record Failure(int status, int errorCode, String message) {}
}
