package io.llmtrace.gateway.intake;

import java.util.Set;

/**
 * Who a request acts for, established from its API key: the tenant (and, if the key is scoped to one,
 * the project) always come from here, never from the payload; the environments say where the key may
 * write, and the default environment is used for spans that name none.
 */
public record Principal(String keyId, String tenantId, String projectId, Set<String> environments, String defaultEnvironment) {

  public Principal {
    if (tenantId == null || tenantId.isBlank()) {
      throw new IllegalArgumentException("an API key must map to a tenant");
    }
    environments = Set.copyOf(environments);
    if (defaultEnvironment != null && !environments.isEmpty() && !environments.contains(defaultEnvironment)) {
      throw new IllegalArgumentException("default environment " + defaultEnvironment + " is not among the allowed " + environments);
    }
  }

  /** An empty set means "any environment". */
  public boolean mayWrite(String environment) {
    return environments.isEmpty() || environments.contains(environment);
  }
}
