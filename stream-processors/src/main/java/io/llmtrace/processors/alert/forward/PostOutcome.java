package io.llmtrace.processors.alert.forward;

/**
 * What became of one POST of alerts. Only {@link Unavailable} is worth trying again: a {@link Rejected} batch
 * would be rejected again, forever, and hold up every alert behind it.
 */
public sealed interface PostOutcome {

  /** An Alertmanager took the alerts (2xx). */
  record Delivered() implements PostOutcome {}

  /** Every Alertmanager refused the alerts themselves (4xx other than 408 and 429): a bad alert, not an outage. */
  record Rejected(int status, String detail) implements PostOutcome {}

  /** No Alertmanager could take them now (connection failure, timeout, 5xx, 408, 429): retry later. */
  record Unavailable(String detail) implements PostOutcome {}
}
