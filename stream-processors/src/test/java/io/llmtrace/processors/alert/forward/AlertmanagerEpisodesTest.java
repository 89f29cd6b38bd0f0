package io.llmtrace.processors.alert.forward;

import static io.llmtrace.processors.common.TestMeters.counter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertState;
import io.llmtrace.schemas.testing.TestRecords;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The forwarder's core against a stand-in Alertmanager: what it posts per event, what it keeps, what it re-posts. */
class AlertmanagerEpisodesTest {

  private static final Duration RESEND = Duration.ofMinutes(1);
  private static final Duration LOOK_BACK = Duration.ofHours(1);
  private static final Instant T0 = Instant.parse("2026-06-04T14:16:00Z");

  private final MutableClock clock = new MutableClock(T0);
  private final RecordingSink sink = new RecordingSink();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final EpisodeForwarder forwarder = new EpisodeForwarder(sink, RESEND, LOOK_BACK, new ForwarderMeters(registry), clock);

  private static AlertEvent event(String alertId, AlertState state, int notification) {
    return AlertEvent.newBuilder(TestRecords.alertEvent()).setAlertId(alertId).setState(state).setNotification(notification)
        .setStartedAt(Instant.parse("2026-06-04T14:05:00Z"))
        .setResolvedAt(state == AlertState.RESOLVED ? Instant.parse("2026-06-04T14:30:00Z") : null).build();
  }

  @Test
  void firingIsPostedValidForFourResendIntervalsAndResolvedClosesTheEpisode() {
    // When
    assertThat(forwarder.forward(0, event("e1", AlertState.FIRING, 0), T0)).isInstanceOf(EpisodeForwarder.Step.Done.class);
    clock.set(Instant.parse("2026-06-04T14:31:00Z"));
    assertThat(forwarder.forward(0, event("e1", AlertState.RESOLVED, 0), clock.instant())).isInstanceOf(EpisodeForwarder.Step.Done.class);

    // Then
    assertThat(sink.posts).hasSize(2);
    PostableAlert firing = sink.posts.get(0).get(0);
    assertThat(firing.startsAt()).isEqualTo(Instant.parse("2026-06-04T14:05:00Z"));
    assertThat(firing.endsAt()).isEqualTo(T0.plus(RESEND.multipliedBy(4)));
    assertThat(firing.resolvedAt(T0)).isFalse();
    PostableAlert resolved = sink.posts.get(1).get(0);
    assertThat(resolved.labels()).isEqualTo(firing.labels());
    assertThat(resolved.endsAt()).isEqualTo(Instant.parse("2026-06-04T14:30:00Z"));
    assertThat(forwarder.openEpisodes()).isZero();
    assertThat(counter(registry, "llmtrace_alertmanager_events", "state", "firing", "result", "delivered")).isEqualTo(1);
    assertThat(counter(registry, "llmtrace_alertmanager_events", "state", "resolved", "result", "delivered")).isEqualTo(1);
    assertThat(registry.find("llmtrace_alertmanager_open_episodes").gauge().value()).isZero();

    // and nothing is re-posted once it is resolved
    clock.advance(RESEND.multipliedBy(3));
    assertThat(forwarder.resendDue()).isTrue();
    assertThat(sink.posts).hasSize(2);
  }

  @Test
  void anEpisodeKeepsItsFirstLabelsWhenTheRuleIsEditedMidEpisode() {
    forwarder.forward(0, event("e1", AlertState.FIRING, 0), T0);
    AlertEvent renotify = AlertEvent.newBuilder(event("e1", AlertState.RENOTIFY, 1)).setOwner("team-platform").setMeasuredValue(9_100).build();
    AlertEvent resolved = AlertEvent.newBuilder(event("e1", AlertState.RESOLVED, 1)).setOwner("team-platform").build();

    forwarder.forward(0, renotify, T0.plusSeconds(30));
    forwarder.forward(0, resolved, T0.plusSeconds(60));

    assertThat(sink.posts).extracting(p -> p.get(0).labels().get("owner")).containsExactly("team-support-ai", "team-support-ai", "team-support-ai");
    assertThat(sink.posts.get(1).get(0).annotations()).contains(entry("observed_value", "9100"), entry("notification", "1"));
  }

  @Test
  void withNoAlertmanagerReachableTheEventIsRetriedAndNothingChanges() {
    sink.next.add(new PostOutcome.Unavailable("http://am:9093 answered HTTP 503"));

    EpisodeForwarder.Step step = forwarder.forward(0, event("e1", AlertState.FIRING, 0), T0);

    assertThat(step).isEqualTo(new EpisodeForwarder.Step.Retry("http://am:9093 answered HTTP 503"));
    assertThat(forwarder.openEpisodes()).isZero();
    assertThat(counter(registry, "llmtrace_alertmanager_events", "state", "firing", "result", "delivered")).isZero();
    assertThat(forwarder.forward(0, event("e1", AlertState.FIRING, 0), T0)).isInstanceOf(EpisodeForwarder.Step.Done.class);
    assertThat(forwarder.openEpisodes()).isEqualTo(1);
  }

  @Test
  void aRejectedAlertIsCountedSkippedAndNotPostedAgain() {
    sink.next.add(new PostOutcome.Rejected(400, "http://am:9093 answered HTTP 400"));

    EpisodeForwarder.Step step = forwarder.forward(0, event("e1", AlertState.FIRING, 0), T0);

    assertThat(step).isInstanceOf(EpisodeForwarder.Step.Done.class);
    assertThat(counter(registry, "llmtrace_alertmanager_events", "state", "firing", "result", "rejected")).isEqualTo(1);
    clock.advance(RESEND);
    forwarder.resendDue();
    assertThat(sink.posts).hasSize(1);
  }

  @Test
  void openEpisodesArePostedAgainEveryResendIntervalInOnePost() {
    forwarder.forward(0, event("e1", AlertState.FIRING, 0), T0);
    forwarder.forward(1, event("e2", AlertState.FIRING, 0), T0);

    clock.advance(RESEND.minusSeconds(1));
    assertThat(forwarder.resendDue()).isTrue();
    assertThat(sink.posts).as("not due yet").hasSize(2);

    clock.advance(Duration.ofSeconds(1));
    assertThat(forwarder.resendDue()).isTrue();
    assertThat(sink.posts).hasSize(3);
    assertThat(sink.posts.get(2)).extracting(a -> a.labels().get("episode")).containsExactly("e1", "e2");
    assertThat(sink.posts.get(2)).allSatisfy(a -> assertThat(a.endsAt()).isEqualTo(clock.instant().plus(RESEND.multipliedBy(4))));
    assertThat(counter(registry, "llmtrace_alertmanager_resent")).isEqualTo(2);
  }

  @Test
  void aFailedResendIsTriedAgainOnTheNextPass() {
    forwarder.forward(0, event("e1", AlertState.FIRING, 0), T0);
    clock.advance(RESEND);
    sink.next.add(new PostOutcome.Unavailable("down"));

    assertThat(forwarder.resendDue()).isFalse();
    assertThat(forwarder.resendDue()).isTrue();
    assertThat(sink.posts).hasSize(3);
    assertThat(counter(registry, "llmtrace_alertmanager_resent")).isEqualTo(1);
  }

  @Test
  void aRebuiltSetPostsItsOpenEpisodesAtOnceAndNotTheResolvedOnes() {
    // Given the topic read back after a restart: e1 fired and resolved, e2 fired and was reminded of, e3 fired
    forwarder.rebuild(0, event("e1", AlertState.FIRING, 0), T0.minusSeconds(600));
    forwarder.rebuild(0, event("e2", AlertState.FIRING, 0), T0.minusSeconds(500));
    forwarder.rebuild(0, event("e1", AlertState.RESOLVED, 0), T0.minusSeconds(400));
    forwarder.rebuild(0, event("e2", AlertState.RENOTIFY, 1), T0.minusSeconds(300));
    forwarder.rebuild(1, event("e3", AlertState.FIRING, 0), T0.minusSeconds(200));
    assertThat(sink.posts).as("reading back posts nothing").isEmpty();

    // When
    assertThat(forwarder.resendDue()).isTrue();

    // Then
    assertThat(sink.posts).hasSize(1);
    assertThat(sink.posts.get(0)).extracting(a -> a.labels().get("episode")).containsExactly("e2", "e3");
    assertThat(sink.posts.get(0).get(0).annotations()).containsEntry("notification", "1");
  }

  @Test
  void anEpisodeWithoutAnEventForTheLookBackExpires() {
    forwarder.rebuild(0, event("old", AlertState.FIRING, 0), T0.minus(LOOK_BACK).minusSeconds(1));
    forwarder.rebuild(0, event("recent", AlertState.FIRING, 0), T0.minus(LOOK_BACK).plusSeconds(1));

    forwarder.resendDue();

    assertThat(sink.posts.get(0)).extracting(a -> a.labels().get("episode")).containsExactly("recent");
    assertThat(counter(registry, "llmtrace_alertmanager_expired")).isEqualTo(1);
  }

  @Test
  void episodesOfRevokedPartitionsAreLeftToTheirNewOwner() {
    forwarder.forward(0, event("e1", AlertState.FIRING, 0), T0);
    forwarder.forward(1, event("e2", AlertState.FIRING, 0), T0);

    forwarder.revoke(Set.of(0));
    clock.advance(RESEND);
    forwarder.resendDue();

    assertThat(sink.posts.get(2)).extracting(a -> a.labels().get("episode")).containsExactly("e2");
  }

  @Test
  void backoffDoublesUpToItsMaximumAndStartsOverAfterASuccess() {
    RetryBackoff backoff = new RetryBackoff(Duration.ofMillis(500), Duration.ofSeconds(3));

    List<Duration> waits = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      waits.add(backoff.failed(T0));
    }
    assertThat(waits).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3),
        Duration.ofSeconds(3));
    assertThat(backoff.waiting(T0.plusMillis(2_999))).isTrue();
    assertThat(backoff.waiting(T0.plusSeconds(3))).isFalse();
    backoff.succeeded();
    assertThat(backoff.failed(T0)).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void anyAlertmanagerTakingTheAlertsDeliversThemAndAnOutageBeatsARejection() {
    PostOutcome delivered = new PostOutcome.Delivered();
    PostOutcome rejected = new PostOutcome.Rejected(400, "bad");
    PostOutcome down = new PostOutcome.Unavailable("down");

    assertThat(AlertmanagerClient.combine(List.of(down, delivered))).isEqualTo(delivered);
    assertThat(AlertmanagerClient.combine(List.of(rejected, down))).isEqualTo(down);
    assertThat(AlertmanagerClient.combine(List.of(rejected, rejected))).isEqualTo(rejected);
  }

  /** Records every POST; answers from {@code next}, else delivered. */
  private static final class RecordingSink implements AlertSink {
    final List<List<PostableAlert>> posts = new ArrayList<>();
    final Deque<PostOutcome> next = new ArrayDeque<>();

    @Override
    public PostOutcome post(List<PostableAlert> alerts) {
      posts.add(List.copyOf(alerts));
      return next.isEmpty() ? new PostOutcome.Delivered() : next.poll();
    }
  }

  private static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void set(Instant instant) {
      now = instant;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
