package io.llmtrace.gateway.release;

import io.llmtrace.gateway.intake.IntakeLimits;
import io.llmtrace.gateway.intake.Rejection;
import io.llmtrace.schemas.avro.ReleaseMarker;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The checks a decoded release marker passes before it is published: the names it will be joined on
 * (service, environment, versions) are usable keys, it says what was released, and its time is as
 * plausible as a span's would have to be. Returns the first problem, naming the field by its JSONPath.
 */
public final class ReleaseValidator {

  /** Names and versions are join keys, not prose: longer ones are refused, never cut (a cut key matches nothing). */
  public static final int MAX_NAME_CHARS = 256;
  private static final Pattern RELEASE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

  private final IntakeLimits limits;

  public ReleaseValidator(IntakeLimits limits) {
    this.limits = limits;
  }

  /** @param marker as decoded: release_id and released_at may still be null (not given) */
  public Optional<Rejection> validate(ReleaseMarker marker, Instant now) {
    return Stream.of(
            name("service_name", marker.getServiceName()),
            releaseId(marker.getReleaseId()),
            name("environment", marker.getEnvironment()),
            name("app_version", marker.getAppVersion()),
            name("prompt_name", marker.getPromptName()),
            name("prompt_version", marker.getPromptVersion()),
            name("released_by", marker.getReleasedBy()),
            whatWasReleased(marker),
            time(marker.getReleasedAt(), now))
        .filter(Objects::nonNull)
        .findFirst();
  }

  /** A marker must say what changed, and a prompt version only means something with its prompt's name. */
  private static Rejection whatWasReleased(ReleaseMarker marker) {
    boolean app = marker.getAppVersion() != null;
    boolean promptName = marker.getPromptName() != null;
    boolean promptVersion = marker.getPromptVersion() != null;
    if (promptVersion && !promptName) {
      return rejection("prompt_version", "is given without prompt_name; a prompt version needs the name of its prompt");
    }
    if (promptName && !promptVersion) {
      return rejection("prompt_name", "is given without prompt_version; say which version of the prompt was released");
    }
    if (!app && !promptName) {
      return rejection("app_version", "is missing: a release needs app_version, or prompt_name with prompt_version, or both");
    }
    return null;
  }

  private Rejection time(Instant releasedAt, Instant now) {
    if (releasedAt == null) {
      return null; // defaults to now
    }
    if (releasedAt.isBefore(EARLIEST) || releasedAt.isBefore(now.minus(limits.maxAge()))) {
      return rejection("released_at", "is " + releasedAt + ", older than the accepted " + limits.maxAge().toDays() + " days");
    }
    if (releasedAt.isAfter(now.plus(limits.maxFuture()))) {
      return rejection("released_at", "is " + releasedAt + ", in the future (more than " + limits.maxFuture().toMinutes() + " min ahead)");
    }
    return null;
  }

  private static Rejection releaseId(String id) {
    if (id != null && !RELEASE_ID.matcher(id).matches()) {
      return rejection("release_id", "must be 1 to 128 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-' (a UUID is assigned when it is left out)");
    }
    return null;
  }

  /** Null is fine (the field was left out; service_name's presence the decoder already checked). */
  private static Rejection name(String field, String value) {
    if (value == null) {
      return null;
    }
    if (value.isBlank()) {
      return rejection(field, "must not be empty" + (field.equals("service_name") ? "" : "; leave the field out instead"));
    }
    if (value.length() > MAX_NAME_CHARS) {
      return rejection(field, "is " + value.length() + " characters long; at most " + MAX_NAME_CHARS + " are allowed");
    }
    if (value.chars().anyMatch(Character::isISOControl)) {
      return rejection(field, "must not contain control characters (line breaks, tabs)");
    }
    return null;
  }

  private static Rejection rejection(String field, String reason) {
    return new Rejection(0, "$." + field, reason);
  }
}
