package io.llmtrace.gateway.release;

import io.llmtrace.gateway.intake.IntakeLimits;
import io.llmtrace.gateway.intake.InvalidRequestException;
import io.llmtrace.gateway.intake.Outcome;
import io.llmtrace.gateway.intake.Principal;
import io.llmtrace.gateway.intake.Rejection;
import io.llmtrace.gateway.intake.Tenancy;
import io.llmtrace.gateway.intake.Truncator;
import io.llmtrace.gateway.nativejson.NativeRecordDecoder;
import io.llmtrace.schemas.avro.ReleaseMarker;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The body of {@code POST /v1/releases} turned into a {@link ReleaseMarker} ready to publish: decoded by
 * the native JSON rules (field names as in ReleaseMarker.avsc, unknown fields refused), validated, and
 * completed the way spans are: the tenant from the API key (never the payload), the environment
 * defaulted from the key and checked against it, plus a UUID release_id and released_at = now when the
 * caller gave none. Over-long notes are cut with the span intake's marker; everything else that is
 * wrong is a rejection naming the field.
 *
 * <pre>
 * {"service_name": "support-bot", "environment": "production", "app_version": "2.14.0",
 *  "prompt_name": "triage", "prompt_version": "v35", "released_at": "2026-12-01T10:00:00Z",
 *  "released_by": "deploy-bot", "note": "CHG-1234", "release_id": "optional, default a UUID"}
 * </pre>
 */
public final class ReleaseIntake {

  /** A marker is a few hundred bytes; this leaves room for a long note and refuses anything else early. */
  public static final long MAX_BODY_BYTES = 64 * 1024;
  /** Notes are prose (a ticket, a changelog line): cut beyond this, like over-long span text, not refused. */
  public static final int MAX_NOTE_CHARS = 4096;

  private static final NativeRecordDecoder<ReleaseMarker> DECODER =
      new NativeRecordDecoder<>(ReleaseMarker.class, serverOwned(), Set.of("release_id", "released_at"));

  private final ReleaseValidator validator;
  private final Clock clock;
  private final Supplier<String> ids;

  public ReleaseIntake(IntakeLimits limits, Clock clock) {
    this(limits, clock, () -> UUID.randomUUID().toString());
  }

  ReleaseIntake(IntakeLimits limits, Clock clock, Supplier<String> ids) {
    this.validator = new ReleaseValidator(limits);
    this.clock = clock;
    this.ids = ids;
  }

  /**
   * @return the complete marker, or the first problem with a field
   * @throws InvalidRequestException when the body is not one usable JSON object (400, the span intake's
   *     codes), or with 403 environment_forbidden when the key may not write to the marker's environment
   */
  public Outcome<ReleaseMarker> admit(byte[] body, Principal principal) {
    Outcome<ReleaseMarker> decoded = DECODER.decode(body);
    if (!(decoded instanceof Outcome.Accepted<ReleaseMarker> accepted)) {
      return decoded;
    }
    ReleaseMarker marker = accepted.value();
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    Optional<Rejection> invalid = validator.validate(marker, now);
    if (invalid.isPresent()) {
      return new Outcome.Rejected<>(invalid.get());
    }
    marker.setTenantId(principal.tenantId());
    marker.setEnvironment(Tenancy.environment(principal, marker.getEnvironment()));
    if (marker.getReleaseId() == null) {
      marker.setReleaseId(ids.get());
    }
    if (marker.getReleasedAt() == null) {
      marker.setReleasedAt(now);
    }
    if (marker.getNote() != null) {
      marker.setNote(Truncator.cut(marker.getNote(), MAX_NOTE_CHARS));
    }
    marker.setReceivedAt(now);
    return new Outcome.Accepted<>(marker);
  }

  /** The partition key: a service's markers stay in order, whichever tenant shares its name. */
  public static String key(ReleaseMarker marker) {
    return marker.getTenantId() + "/" + marker.getServiceName();
  }

  /** Accepted in the payload so a serialized marker can be posted back, but always set here. */
  private static Map<String, Object> serverOwned() {
    Map<String, Object> fields = new HashMap<>();
    fields.put("tenant_id", null);
    fields.put("received_at", null);
    return fields;
  }
}
