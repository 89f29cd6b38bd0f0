package io.llmtrace.gateway.intake;

import io.llmtrace.schemas.avro.LlmSpan;
import java.util.List;

/**
 * Stamps the principal's tenant (and project, for project-scoped keys) onto every span, overriding
 * whatever the payload said, and fills in the environment. A span in an environment the key may not
 * write to makes the whole request forbidden: that is a configuration error of the caller, not bad data.
 */
public final class Tenancy {

  private Tenancy() {}

  /** @throws InvalidRequestException with status 403 when a span's environment is not allowed for the key */
  public static void apply(Principal principal, List<LlmSpan> spans) {
    for (LlmSpan span : spans) {
      span.setTenantId(principal.tenantId());
      if (principal.projectId() != null) {
        span.setProjectId(principal.projectId());
      }
      span.setEnvironment(environment(principal, span.getEnvironment()));
    }
  }

  /**
   * The environment a record goes to: the one it names, or the key's default when it names none (null
   * when the key has no default either).
   *
   * @throws InvalidRequestException with status 403 when the key may not write to that environment
   */
  public static String environment(Principal principal, String requested) {
    String environment = requested == null || requested.isBlank() ? principal.defaultEnvironment() : requested;
    if (environment != null && !principal.mayWrite(environment)) {
      throw new InvalidRequestException(403, "environment_forbidden",
          "API key " + principal.keyId() + " may not write to environment '" + environment + "' (allowed: "
              + String.join(", ", principal.environments()) + ")");
    }
    return environment;
  }
}
