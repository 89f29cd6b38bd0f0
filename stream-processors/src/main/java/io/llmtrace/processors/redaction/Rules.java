package io.llmtrace.processors.redaction;

import java.util.List;
import java.util.Map;

/**
 * The effective rules for one tenant: the base policy with that tenant's overrides applied.
 * {@code detectors} holds only the enabled detectors (action not OFF) in priority order.
 */
public record Rules(List<Detector> detectors, Map<String, Action> actions, AttributeRules attributes, boolean hashUserIds) {

  public Rules {
    detectors = List.copyOf(detectors);
    actions = Map.copyOf(actions);
  }

  public Action actionFor(String detector) {
    return actions.getOrDefault(detector, Action.MASK);
  }
}
