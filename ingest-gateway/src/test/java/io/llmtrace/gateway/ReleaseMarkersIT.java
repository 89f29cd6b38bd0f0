package io.llmtrace.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.schemas.avro.ReleaseMarker;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.TestNames;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code POST /v1/releases} end to end: real gateway, broker and registry. A 202 means the marker is on
 * the releases topic with the caller's values and the key's tenant; a refused marker is not there at
 * all. Each test uses its own service name, so the markers of one service share a partition (the key
 * is tenant/service) and "nothing before the marker that came after" proves "never published".
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReleaseMarkersIT {

  private GatewayFixture fixture;

  @BeforeAll
  void startGateway(StackEndpoints stack, TestNames names) {
    fixture = new GatewayFixture(stack, names, Map.of());
  }

  @AfterAll
  void stopGateway() {
    fixture.close();
  }

  @Test
  void acceptedReleaseIsOnTheTopicWithItsValuesUnderTenantAndServiceKey() {
    // Given a marker with every field, claiming another tenant
    Instant releasedAt = Instant.now().minusSeconds(120).truncatedTo(ChronoUnit.MICROS);
    String body = """
        {"release_id":"rel-it-1","service_name":"support-bot-full","environment":"staging","app_version":"2.14.0",
         "prompt_name":"triage","prompt_version":"v35","released_at":"%s","released_by":"deploy-bot",
         "note":"CHG-1234","tenant_id":"globex"}""".formatted(releasedAt);
    Instant before = Instant.now().truncatedTo(ChronoUnit.MICROS);

    // When it is posted
    HttpResponse<String> response = postRelease(body, "Authorization", "Bearer " + GatewayFixture.KEY);

    // Then the answer comes after the broker's acknowledgement, and the topic holds it as sent
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(response.body()).isEqualTo("{\"release_id\":\"rel-it-1\",\"released_at\":\"" + releasedAt + "\"}");
    ConsumerRecord<String, ReleaseMarker> stored = only(fixture.readReleasesUntil(m -> m.getReleaseId().equals("rel-it-1")),
        "support-bot-full");
    assertThat(stored.key()).isEqualTo("acme/support-bot-full");
    ReleaseMarker marker = stored.value();
    assertThat(marker.getReceivedAt()).isBetween(before, Instant.now());
    assertThat(marker).isEqualTo(ReleaseMarker.newBuilder()
        .setReleaseId("rel-it-1").setTenantId("acme").setServiceName("support-bot-full").setEnvironment("staging")
        .setAppVersion("2.14.0").setPromptName("triage").setPromptVersion("v35").setReleasedAt(releasedAt)
        .setReleasedBy("deploy-bot").setNote("CHG-1234").setReceivedAt(marker.getReceivedAt()).build());
  }

  @Test
  void leftOutIdTimeAndEnvironmentAreFilledIn() {
    Instant before = Instant.now().truncatedTo(ChronoUnit.MICROS);

    HttpResponse<String> response = postRelease("{\"service_name\":\"support-bot-minimal\",\"app_version\":\"3.0.0\"}",
        "X-API-Key", GatewayFixture.KEY);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    ReleaseMarker marker = only(fixture.readReleasesUntil(m -> m.getServiceName().equals("support-bot-minimal")),
        "support-bot-minimal").value();
    assertThat(UUID.fromString(marker.getReleaseId()).toString()).isEqualTo(marker.getReleaseId());
    assertThat(response.body()).contains("\"release_id\":\"" + marker.getReleaseId() + "\"");
    assertThat(marker.getReleasedAt()).isEqualTo(marker.getReceivedAt()).isBetween(before, Instant.now());
    assertThat(marker.getEnvironment()).isEqualTo("production"); // the key's first environment
  }

  @Test
  void badBodyIs400NamingTheFieldAndIsNeverPublished() {
    // Given a marker with a prompt version but no prompt, for a service nobody else writes
    String service = "support-bot-bad";

    // When it is posted
    HttpResponse<String> response = postRelease(
        "{\"service_name\":\"" + service + "\",\"app_version\":\"1.0\",\"prompt_version\":\"v9\"}",
        "Authorization", "Bearer " + GatewayFixture.KEY);

    // Then the answer names the field, in the span intake's error shape
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("\"code\":\"invalid_release\"")
        .contains("\"message\":\"$.prompt_version: is given without prompt_name")
        .contains("\"path\":\"$.prompt_version\"");
    // and a good marker of the same service (same key, same partition) posted afterwards is the only one there
    assertThat(postRelease("{\"service_name\":\"" + service + "\",\"app_version\":\"1.0\",\"release_id\":\"after-bad\"}",
        "Authorization", "Bearer " + GatewayFixture.KEY).statusCode()).isEqualTo(202);
    assertThat(only(fixture.readReleasesUntil(m -> m.getReleaseId().equals("after-bad")), service).value().getReleaseId())
        .isEqualTo("after-bad");
  }

  @Test
  void missingOrUnknownKeysAre401ForbiddenEnvironmentsAre403AndNoneIsPublished() {
    String service = "support-bot-unauthorized";
    String body = "{\"service_name\":\"" + service + "\",\"app_version\":\"1.0\"}";

    HttpResponse<String> missing = postRelease(body);
    HttpResponse<String> unknown = postRelease(body, "Authorization", "Bearer not-a-key");
    HttpResponse<String> forbidden = postRelease("{\"service_name\":\"" + service + "\",\"app_version\":\"1.0\",\"environment\":\"development\"}",
        "Authorization", "Bearer " + GatewayFixture.KEY);

    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.body()).contains("\"code\":\"missing_api_key\"");
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(unknown.body()).contains("\"code\":\"unknown_api_key\"");
    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(forbidden.body()).contains("\"code\":\"environment_forbidden\"").contains("'development'");
    assertThat(postRelease("{\"service_name\":\"" + service + "\",\"app_version\":\"1.0\",\"release_id\":\"after-401\"}",
        "Authorization", "Bearer " + GatewayFixture.KEY).statusCode()).isEqualTo(202);
    assertThat(only(fixture.readReleasesUntil(m -> m.getReleaseId().equals("after-401")), service).value().getReleaseId())
        .isEqualTo("after-401");
  }

  @Test
  void wrongMethodIs405AndTheCountersShowAcceptedAndRejectedMarkers() {
    assertThat(fixture.get("/v1/releases").statusCode()).isEqualTo(405);
    assertThat(postRelease("{\"service_name\":\"support-bot-counted\",\"app_version\":\"1.0\"}",
        "Authorization", "Bearer " + GatewayFixture.KEY).statusCode()).isEqualTo(202);
    assertThat(postRelease("{\"service_name\":\"support-bot-counted\"}", "Authorization", "Bearer " + GatewayFixture.KEY)
        .statusCode()).isEqualTo(400);

    String metrics = fixture.get("/metrics").body();

    assertThat(metrics).containsPattern("llmtrace_gateway_releases_accepted_total [1-9]")
        .containsPattern("llmtrace_gateway_releases_rejected_total\\{reason=\"invalid\"} [1-9]")
        .contains("llmtrace_gateway_requests_total{endpoint=\"/v1/releases\",status=\"202\"}")
        .contains("llmtrace_gateway_requests_total{endpoint=\"/v1/releases\",status=\"400\"}");
  }

  @Test
  void aReleasesTopicKafkaCannotWriteToGives503WithRetryAfter(StackEndpoints stack, TestNames names) {
    // The broker refuses (the topic does not exist, and topics are not created on demand): as for spans, 503.
    try (GatewayFixture broken = new GatewayFixture(stack, names, Map.of("llmtrace.topics.releases", names.topic("absent")))) {
      HttpResponse<String> response = broken.post("/v1/releases", "application/json",
          "{\"service_name\":\"bot\",\"app_version\":\"1.0\"}".getBytes(StandardCharsets.UTF_8),
          "Authorization", "Bearer " + GatewayFixture.KEY);

      assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
      assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
      assertThat(response.body()).contains("\"code\":\"unavailable\"").contains("retry it");
      assertThat(broken.get("/metrics").body()).containsPattern("llmtrace_gateway_releases_rejected_total\\{reason=\"unavailable\"} 1");
    }
  }

  private HttpResponse<String> postRelease(String body, String... headers) {
    return fixture.post("/v1/releases", "application/json", body.getBytes(StandardCharsets.UTF_8), headers);
  }

  /** The single record of {@code service} among those read. */
  private static ConsumerRecord<String, ReleaseMarker> only(List<ConsumerRecord<String, ReleaseMarker>> records, String service) {
    List<ConsumerRecord<String, ReleaseMarker>> ofService = records.stream()
        .filter(r -> r.value().getServiceName().equals(service)).toList();
    assertThat(ofService).as("markers of %s", service).hasSize(1);
    return ofService.get(0);
  }
}
