package io.llmtrace.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.TraceSummary;
import io.llmtrace.schemas.testing.FakeSchemaRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The registry client against an in-process fake that speaks the Confluent REST API. */
class SchemaRegistryClientTest {

  private static final Schema SPAN = LlmSpan.getClassSchema();
  private static final Schema V1 =
      SchemaBuilder.record("Thing").namespace("test").fields().requiredString("id").endRecord();
  private static final Schema V2_OPTIONAL_FIELD =
      SchemaBuilder.record("Thing").namespace("test").fields()
          .requiredString("id").optionalString("note").endRecord();
  private static final Schema V2_REQUIRED_FIELD =
      SchemaBuilder.record("Thing").namespace("test").fields()
          .requiredString("id").requiredInt("size").endRecord();

  private final FakeSchemaRegistry registry = FakeSchemaRegistry.start();

  @AfterEach
  void stop() {
    registry.close();
  }

  @Test
  void registersAndFetchesTheSchemaByIdFromAnotherClient() {
    int id = client(registry.url()).register("llm.spans.raw-value", SPAN);

    Schema fetched = client(registry.url()).getById(id);

    assertThat(fetched).isEqualTo(SPAN);
    assertThat(registry.requests())
        .containsExactly("POST /subjects/llm.spans.raw-value/versions", "GET /schemas/ids/" + id);
  }

  @Test
  void cachesRegistrationsAndIds() {
    SchemaRegistryClient client = client(registry.url());

    int first = client.register("a-value", SPAN);
    int second = client.register("a-value", SPAN);
    client.getById(first);
    int other = client.register("b-value", SPAN);

    assertThat(second).isEqualTo(first);
    assertThat(other).as("ids are global: same schema, same id").isEqualTo(first);
    assertThat(registry.requestCount("POST /subjects/a-value/versions")).isEqualTo(1);
    assertThat(registry.requestCount("GET /schemas/ids/")).as("known from registration").isZero();
  }

  @Test
  void fetchByIdIsCached() {
    int id = registry.register("s", V1);
    SchemaRegistryClient client = client(registry.url());

    client.getById(id);
    client.getById(id);

    assertThat(registry.requestCount("GET /schemas/ids/")).isEqualTo(1);
  }

  @Test
  void worksUnderABasePathLikeApicuriosCompatibilityApi() {
    try (FakeSchemaRegistry apicurioLike = FakeSchemaRegistry.start("/apis/ccompat/v7")) {
      SchemaRegistryClient client = client(apicurioLike.url() + "/");

      int id = client.register("llm.traces-value", TraceSummary.getClassSchema());

      assertThat(client(apicurioLike.url()).getById(id)).isEqualTo(TraceSummary.getClassSchema());
      assertThat(apicurioLike.requests()).contains("POST /subjects/llm.traces-value/versions");
    }
  }

  @Test
  void subjectsAreEncodedAsOnePathSegment() {
    SchemaRegistryClient client = client(registry.url());

    int id = client.register("odd subject/with slash", V1);

    assertThat(client.lookupId("odd subject/with slash", V1)).isEqualTo(id);
    assertThat(registry.requests().get(0)).isEqualTo("POST /subjects/odd%20subject%2Fwith%20slash/versions");
  }

  @Test
  void looksUpIdAndVersionWithoutRegistering() {
    registry.register("things-value", V1);
    int v2 = registry.register("things-value", V2_OPTIONAL_FIELD);

    RegisteredSchema found = client(registry.url()).lookup("things-value", V2_OPTIONAL_FIELD);

    assertThat(found).isEqualTo(new RegisteredSchema("things-value", v2, 2, V2_OPTIONAL_FIELD));
    assertThat(registry.requestCount("POST /subjects/things-value/versions")).isZero();
  }

  @Test
  void lookupOfAnUnregisteredSchemaIsNotFound() {
    registry.register("things-value", V1);

    SchemaRegistryException e =
        catchThrowableOfType(
            SchemaRegistryException.class,
            () -> client(registry.url()).lookupId("things-value", V2_OPTIONAL_FIELD));

    assertThat(e.isNotFound()).isTrue();
    assertThat(e.isRetriable()).isFalse();
    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND);
    assertThat(e.subject()).isEqualTo("things-value");
    assertThat(e).hasMessage(
        "schema registry at " + registry.url() + " returned HTTP 404 (error_code 40403: Schema not"
            + " found) while looking up a schema under subject 'things-value'");
  }

  @Test
  void fetchesNumberedAndLatestVersions() {
    int v1 = registry.register("things-value", V1);
    int v2 = registry.register("things-value", V2_OPTIONAL_FIELD);
    SchemaRegistryClient client = client(registry.url());

    assertThat(client.getBySubjectVersion("things-value", 1))
        .isEqualTo(new RegisteredSchema("things-value", v1, 1, V1));
    assertThat(client.getLatest("things-value"))
        .isEqualTo(new RegisteredSchema("things-value", v2, 2, V2_OPTIONAL_FIELD));
  }

  @Test
  void unknownIdNamesRegistryIdStatusAndErrorCode() {
    SchemaRegistryException e =
        catchThrowableOfType(SchemaRegistryException.class, () -> client(registry.url()).getById(42));

    assertThat(e).hasMessage(
        "schema registry at " + registry.url() + " returned HTTP 404 (error_code 40403: Schema 42"
            + " not found) while fetching id 42");
    assertThat(e.schemaId()).isEqualTo(42);
    assertThat(e.httpStatus()).isEqualTo(404);
    assertThat(e.url()).isEqualTo(registry.url());
  }

  @Test
  void unreachableRegistryIsARetriableErrorNamingUrlAndId() throws IOException {
    String dead = "http://127.0.0.1:" + freePort();

    SchemaRegistryException e =
        catchThrowableOfType(SchemaRegistryException.class, () -> client(dead).getById(42));

    assertThat(e).hasMessage("schema registry at " + dead + " unreachable while fetching id 42: Connection refused");
    assertThat(e.isRetriable()).isTrue();
    assertThat(e.httpStatus()).isZero();
    assertThat(e).hasCauseInstanceOf(IOException.class);
  }

  @Test
  void registryThatDoesNotAnswerTimesOut() throws IOException {
    // Accepts connections (the OS backlog does) but never answers.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      String url = "http://127.0.0.1:" + silent.getLocalPort();
      SchemaRegistryClient client =
          SchemaRegistryClient.builder(url).requestTimeout(Duration.ofMillis(300)).build();

      assertThatThrownBy(() -> client.getById(7))
          .isInstanceOf(SchemaRegistryException.class)
          .hasMessage("schema registry at " + url + " unreachable while fetching id 7: request timed out");
    }
  }

  @Test
  void failsOverToTheNextUrlWhenARegistryIsUnreachable() throws IOException {
    int id = registry.register("s", V1);
    String dead = "http://127.0.0.1:" + freePort();
    SchemaRegistryClient client = client(dead + ", " + registry.url());

    assertThat(client.getById(id)).isEqualTo(V1);
    assertThat(client.url()).isEqualTo(dead + ", " + registry.url());
  }

  @Test
  void serverErrorsAreRetriableAndCarryTheRegistryMessage() {
    registry.failNext(1, 500, 50001, "Error in the backend data store");

    SchemaRegistryException e =
        catchThrowableOfType(
            SchemaRegistryException.class, () -> client(registry.url()).register("s-value", V1));

    assertThat(e.isRetriable()).isTrue();
    assertThat(e).hasMessage(
        "schema registry at " + registry.url() + " returned HTTP 500 (error_code 50001: Error in"
            + " the backend data store) while registering a schema under subject 's-value'");
  }

  @Test
  void sendsBasicAuthFromConfigOrFromTheUrl() {
    registry.requireBasicAuth("svc", "s3cret");
    int id = registry.register("s", V1);
    String withCredentials = registry.url().replace("http://", "http://svc:s3cret@");

    assertThat(SchemaRegistryClient.builder(registry.url()).basicAuthUserInfo("svc:s3cret").build().getById(id))
        .isEqualTo(V1);
    assertThat(client(withCredentials).getById(id)).isEqualTo(V1);
    assertThat(client(withCredentials).url()).isEqualTo(registry.url()).doesNotContain("s3cret");
  }

  @Test
  void missingCredentialsAreANonRetriable401() {
    registry.requireBasicAuth("svc", "s3cret");

    SchemaRegistryException e =
        catchThrowableOfType(SchemaRegistryException.class, () -> client(registry.url()).getById(1));

    assertThat(e.httpStatus()).isEqualTo(401);
    assertThat(e.isRetriable()).isFalse();
    assertThat(e).hasMessageContaining("HTTP 401 (error_code 40101: Unauthorized)");
  }

  @Test
  void testsCompatibilityAgainstTheLatestVersion() {
    registry.register("things-value", V1);
    SchemaRegistryClient client = client(registry.url());

    CompatibilityResult optional = client.testCompatibility("things-value", V2_OPTIONAL_FIELD);
    CompatibilityResult required = client.testCompatibility("things-value", V2_REQUIRED_FIELD);
    CompatibilityResult fresh = client.testCompatibility("new-subject-value", V2_REQUIRED_FIELD);

    assertThat(optional.compatible()).isTrue();
    assertThat(required.compatible()).isFalse();
    assertThat(required.messages()).singleElement().asString().contains("size");
    assertThat(fresh.compatible()).as("nothing registered, nothing to break").isTrue();
  }

  @Test
  void rejectsUrlsThatCannotWork() {
    assertThatThrownBy(() -> SchemaRegistryClient.builder(" , "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one schema registry URL");
    assertThatThrownBy(() -> client("mock://scope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid schema registry URL 'mock://scope': scheme must be http or https");
    assertThatThrownBy(() -> SchemaRegistryClient.builder("http://h").basicAuthUserInfo("nocolon"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static SchemaRegistryClient client(String url) {
    return SchemaRegistryClient.builder(url).requestTimeout(Duration.ofSeconds(5)).build();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
