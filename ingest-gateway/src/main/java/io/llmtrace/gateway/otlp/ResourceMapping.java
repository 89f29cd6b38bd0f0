package io.llmtrace.gateway.otlp;

import static io.llmtrace.gateway.otlp.AttributeValues.asText;

import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.HashMap;
import java.util.Map;

/**
 * Resource and scope attributes, read once per resource (and scope) rather than once per span:
 * {@code service.name}, {@code deployment.environment.name} (and the deprecated
 * {@code deployment.environment}), the version ({@code llmtrace.release} over {@code service.version}
 * over {@code app.version}), and our {@code llmtrace.project} / {@code llmtrace.feature}. What is left
 * ({@code host.name}, {@code telemetry.sdk.*}, ...) is copied into every span's attributes, with the
 * scope's name and version as {@code otel.scope.name} / {@code otel.scope.version}, as OTel's own
 * non-OTLP exporters do.
 */
final class ResourceMapping {

  /** The resource's contribution to each of its spans. Read-only once built. */
  record ResourceContext(
      Pick<String> serviceName,
      Pick<String> environment,
      Pick<String> appVersion,
      Pick<String> projectId,
      Pick<String> featureName,
      Map<String, String> attributes) {

    /** Seeds a span's fields at resource rank: any span attribute for the same field wins. */
    void seed(SpanDraft d) {
      seed(d, d.serviceName, serviceName);
      seed(d, d.environment, environment);
      seed(d, d.appVersion, appVersion);
      seed(d, d.projectId, projectId);
      seed(d, d.featureName, featureName);
    }

    private static void seed(SpanDraft d, Pick<String> field, Pick<String> resource) {
      if (resource.isSet()) {
        d.offer(field, resource.key(), resource.get(), SpanDraft.RESOURCE);
      }
    }
  }

  private ResourceMapping() {}

  static ResourceContext of(Resource resource) {
    Map<String, String> leftovers = new HashMap<>();
    Pick<String> serviceName = Pick.scalar();
    Pick<String> environment = Pick.scalar();
    Pick<String> appVersion = Pick.scalar();
    Pick<String> projectId = Pick.scalar();
    Pick<String> featureName = Pick.scalar();
    for (KeyValue attribute : resource.getAttributesList()) {
      String key = attribute.getKey();
      String text = asText(attribute.getValue());
      boolean mapped = switch (key) {
        case "service.name" -> serviceName.offer(key, text, 0, leftovers);
        case "deployment.environment.name" -> environment.offer(key, text, 0, leftovers);
        case "deployment.environment" -> environment.offer(key, text, 1, leftovers);
        case "llmtrace.release" -> appVersion.offer(key, text, 0, leftovers);
        case "service.version" -> appVersion.offer(key, text, 1, leftovers);
        case "app.version" -> appVersion.offer(key, text, 2, leftovers);
        case "llmtrace.project" -> projectId.offer(key, text, 0, leftovers);
        case "llmtrace.feature", "llmtrace.feature_name" -> featureName.offer(key, text, 0, leftovers);
        default -> false;
      };
      if (!mapped) {
        leftovers.put(key, AttributeValues.render(attribute.getValue()));
      }
    }
    return new ResourceContext(serviceName, environment, appVersion, projectId, featureName, leftovers);
  }

  /** The attributes every span of a scope starts with: the resource's leftovers plus the scope's. */
  static Map<String, String> inherited(ResourceContext resource, InstrumentationScope scope) {
    if (scope.getName().isEmpty() && scope.getVersion().isEmpty() && scope.getAttributesCount() == 0) {
      return resource.attributes();
    }
    Map<String, String> inherited = new HashMap<>(resource.attributes());
    for (KeyValue attribute : scope.getAttributesList()) {
      inherited.put(attribute.getKey(), AttributeValues.render(attribute.getValue()));
    }
    if (!scope.getName().isEmpty()) {
      inherited.put("otel.scope.name", scope.getName());
    }
    if (!scope.getVersion().isEmpty()) {
      inherited.put("otel.scope.version", scope.getVersion());
    }
    return inherited;
  }
}
