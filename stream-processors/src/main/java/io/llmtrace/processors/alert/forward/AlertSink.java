package io.llmtrace.processors.alert.forward;

import java.util.List;

/** Where alerts are posted: Alertmanager's API ({@link AlertmanagerClient}), or a stand-in in tests. */
@FunctionalInterface
public interface AlertSink {

  PostOutcome post(List<PostableAlert> alerts);
}
