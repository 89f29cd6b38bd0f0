package io.llmtrace.gateway.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.llmtrace.gateway.intake.IntakeLimits;
import io.llmtrace.gateway.intake.InvalidRequestException;
import io.llmtrace.gateway.intake.Outcome;
import io.llmtrace.gateway.intake.Principal;
import io.llmtrace.gateway.intake.Rejection;
import io.llmtrace.schemas.avro.ReleaseMarker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ReleaseIntakeTest {

  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  private static final Principal ACME =
      new Principal("acme-deploy", "acme", null, Set.of("production", "staging"), "production");
  private final ReleaseIntake intake = new ReleaseIntake(IntakeLimits.defaults(), Clock.fixed(NOW, ZoneOffset.UTC), () -> "generated-id");

  /** A body that differs from a valid one in one place, the field the rejection must name, and why. */
  record BadField(String name, String body, String path, String reason) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<BadField> badFields() {
    return List.of(
        new BadField("service name missing", "{\"app_version\":\"2.0\"}", "$.service_name", "missing required field 'service_name'"),
        new BadField("service name empty", "{\"service_name\":\" \",\"app_version\":\"2.0\"}", "$.service_name", "must not be empty"),
        new BadField("service name not a string", "{\"service_name\":7,\"app_version\":\"2.0\"}", "$.service_name", "expected string, got number"),
        new BadField("service name too long", "{\"service_name\":\"" + "s".repeat(257) + "\",\"app_version\":\"2.0\"}", "$.service_name",
            "is 257 characters long; at most 256"),
        new BadField("nothing released", "{\"service_name\":\"bot\"}", "$.app_version",
            "a release needs app_version, or prompt_name with prompt_version"),
        new BadField("prompt version without its prompt", "{\"service_name\":\"bot\",\"app_version\":\"2.0\",\"prompt_version\":\"v35\"}",
            "$.prompt_version", "without prompt_name"),
        new BadField("prompt without a version", "{\"service_name\":\"bot\",\"prompt_name\":\"triage\"}", "$.prompt_name",
            "without prompt_version"),
        new BadField("app version empty", "{\"service_name\":\"bot\",\"app_version\":\"\"}", "$.app_version", "leave the field out instead"),
        new BadField("environment with a line break", "{\"service_name\":\"bot\",\"app_version\":\"2.0\",\"environment\":\"prod\\nuction\"}",
            "$.environment", "control characters"),
        new BadField("released_by not a string", "{\"service_name\":\"bot\",\"app_version\":\"2.0\",\"released_by\":{\"name\":\"x\"}}",
            "$.released_by", "expected string, got object"),
        new BadField("release id with a space", "{\"service_name\":\"bot\",\"app_version\":\"2.0\",\"release_id\":\"rel 1\"}",
            "$.release_id", "must be 1 to 128 characters"),
        new BadField("released_at not a time", "{\"service_name\":\"bot\",\"app_version\":\"2.0\",\"released_at\":\"yesterday\"}",
            "$.released_at", "expected an RFC 3339 timestamp"),
        new BadField("released_at a fraction", "{\"service_name\":\"bot\",\"app_version\":\"2.0\",\"released_at\":1.5}",
            "$.released_at", "1.5 is not an integer"),
        new BadField("released_at in the future", "{\"service_name\":\"bot\",\"app_version\":\"2.0\",\"released_at\":\"2026-12-01T12:00:00Z\"}",
            "$.released_at", "in the future"),
        new BadField("released_at too old", "{\"service_name\":\"bot\",\"app_version\":\"2.0\",\"released_at\":\"2026-01-01T00:00:00Z\"}",
            "$.released_at", "older than the accepted 30 days"),
        new BadField("unknown field with a near miss", "{\"service_name\":\"bot\",\"app_version\":\"2.0\",\"releasd_by\":\"ci\"}",
            "$.releasd_by", "unknown field 'releasd_by' (did you mean 'released_by'?)"),
        new BadField("camelCase field", "{\"serviceName\":\"bot\",\"app_version\":\"2.0\"}",
            "$.serviceName", "did you mean 'service_name'?"),
        new BadField("duplicate field", "{\"service_name\":\"bot\",\"app_version\":\"2.0\",\"app_version\":\"2.1\"}",
            "$.app_version", "duplicate field 'app_version'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFields")
  void eachBadFieldIsRejectedByItsPath(BadField bad) {
    Outcome<ReleaseMarker> outcome = intake.admit(bytes(bad.body()), ACME);

    assertThat(outcome).isInstanceOf(Outcome.Rejected.class);
    Rejection rejection = ((Outcome.Rejected<ReleaseMarker>) outcome).rejection();
    assertThat(rejection.path()).isEqualTo(bad.path());
    assertThat(rejection.reason()).contains(bad.reason());
  }

  @Test
  void aFullMarkerKeepsItsValuesAndTakesTenantAndReceiptFromTheServer() {
    String body = """
        {"release_id":"rel-2026-12-01.1","service_name":"support-bot","environment":"staging","app_version":"2.14.0",
         "prompt_name":"triage","prompt_version":"v35","released_at":"2026-12-01T10:30:00.123456+02:00",
         "released_by":"deploy-bot","note":"CHG-1234","tenant_id":"someone-else","received_at":0}""";

    ReleaseMarker marker = accepted(intake.admit(bytes(body), ACME));

    assertThat(marker).isEqualTo(ReleaseMarker.newBuilder()
        .setReleaseId("rel-2026-12-01.1").setTenantId("acme").setServiceName("support-bot").setEnvironment("staging")
        .setAppVersion("2.14.0").setPromptName("triage").setPromptVersion("v35")
        .setReleasedAt(Instant.parse("2026-12-01T08:30:00.123456Z")).setReleasedBy("deploy-bot").setNote("CHG-1234")
        .setReceivedAt(NOW).build());
    assertThat(ReleaseIntake.key(marker)).isEqualTo("acme/support-bot");
  }

  @Test
  void leftOutIdTimeAndEnvironmentGetTheDefaults() {
    ReleaseMarker marker = accepted(intake.admit(bytes(
        "{\"service_name\":\"bot\",\"prompt_name\":\"triage\",\"prompt_version\":\"v2\",\"release_id\":null,\"note\":null}"), ACME));

    assertThat(marker.getReleaseId()).isEqualTo("generated-id");
    assertThat(marker.getReleasedAt()).isEqualTo(NOW);
    assertThat(marker.getEnvironment()).isEqualTo("production"); // the key's default
    assertThat(marker.getAppVersion()).isNull();
    assertThat(marker.getNote()).isNull();
  }

  @Test
  void releasedAtTakesEpochMicrosLikeSpanTimes() {
    long micros = NOW.minusSeconds(3600).getEpochSecond() * 1_000_000L + 42;

    ReleaseMarker marker = accepted(intake.admit(bytes(
        "{\"service_name\":\"bot\",\"app_version\":\"2.0\",\"released_at\":" + micros + "}"), ACME));

    assertThat(marker.getReleasedAt()).isEqualTo(NOW.minusSeconds(3600).plusNanos(42_000));
  }

  @Test
  void aLongNoteIsCutWithTheSpanIntakesMarker() {
    String note = "n".repeat(ReleaseIntake.MAX_NOTE_CHARS + 10);

    ReleaseMarker marker = accepted(intake.admit(bytes(
        "{\"service_name\":\"bot\",\"app_version\":\"2.0\",\"note\":\"" + note + "\"}"), ACME));

    assertThat(marker.getNote()).startsWith("n".repeat(ReleaseIntake.MAX_NOTE_CHARS)).endsWith("…[truncated 10 chars]");
  }

  @Test
  void anEnvironmentTheKeyMayNotWriteToIsForbidden() {
    InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class, () -> intake.admit(bytes(
        "{\"service_name\":\"bot\",\"app_version\":\"2.0\",\"environment\":\"development\"}"), ACME));

    assertThat(e).isNotNull();
    assertThat(e.status()).isEqualTo(403);
    assertThat(e.code()).isEqualTo("environment_forbidden");
    assertThat(e.getMessage()).contains("'development'");
  }

  @Test
  void aBodyThatIsNotOneJsonObjectFailsAsAWholeWithTheSpanIntakesCodes() {
    assertThat(wholeBodyError("")).isEqualTo("invalid_json");
    assertThat(wholeBodyError("[{\"service_name\":\"bot\",\"app_version\":\"2.0\"}]")).isEqualTo("invalid_shape");
    assertThat(wholeBodyError("{\"service_name\":\"bot\",\"app_version\":\"2.0\"} {}")).isEqualTo("invalid_json");
    // A bad field does not hide that the JSON itself is broken further on.
    assertThat(wholeBodyError("{\"service_name\":7,\"app_version\":\"2.0\",")).isEqualTo("invalid_json");
    assertThat(wholeBodyError("{\"service_name\":\"b\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1))).isEqualTo("invalid_utf8");
  }

  private String wholeBodyError(String body) {
    return wholeBodyError(bytes(body));
  }

  private String wholeBodyError(byte[] body) {
    InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class, () -> intake.admit(body, ACME));
    assertThat(e).as("a whole-body error").isNotNull();
    assertThat(e.status()).isEqualTo(400);
    return e.code();
  }

  private static ReleaseMarker accepted(Outcome<ReleaseMarker> outcome) {
    assertThat(outcome).as("%s", outcome).isInstanceOf(Outcome.Accepted.class);
    return ((Outcome.Accepted<ReleaseMarker>) outcome).value();
  }

  private static byte[] bytes(String body) {
    return body.getBytes(StandardCharsets.UTF_8);
  }
}
