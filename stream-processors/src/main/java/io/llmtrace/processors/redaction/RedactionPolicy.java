package io.llmtrace.processors.redaction;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A parsed, validated redaction policy: its version, the base {@link Rules}, per-tenant rules, the
 * pseudonymizer for hash actions (null when nothing hashes) and the canary strings. Immutable; load
 * it with {@link #load(Path)} or {@link #parse(String, String, Function)}. The YAML format is
 * documented in {@code redaction-policy.default.yaml}.
 */
public record RedactionPolicy(
    String version,
    Rules base,
    Map<String, Rules> tenants,
    Pseudonymizer pseudonymizer,
    List<String> canaries) {

  /** Classpath location of the policy shipped with the module. */
  public static final String DEFAULT_RESOURCE = "/redaction-policy.default.yaml";

  public RedactionPolicy {
    tenants = Map.copyOf(tenants);
    canaries = List.copyOf(canaries);
  }

  /** The rules for a tenant: its override when it has one, the base rules otherwise. */
  public Rules rulesFor(String tenantId) {
    Rules r = tenantId == null ? null : tenants.get(tenantId);
    return r != null ? r : base;
  }

  /** Parses YAML text; {@code env} resolves {@code hash_key_env}. */
  public static RedactionPolicy parse(String yaml, String source, Function<String, String> env) {
    return new PolicyParser(source, env).parse(yaml);
  }

  /** Loads a policy file, resolving {@code hash_key_env} from the process environment. */
  public static RedactionPolicy load(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString(), System::getenv);
  }

  /** The default policy shipped in this module's resources. */
  public static RedactionPolicy loadDefault(Function<String, String> env) {
    try (InputStream in = RedactionPolicy.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new PolicyException("default policy " + DEFAULT_RESOURCE + " is not on the classpath");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), DEFAULT_RESOURCE, env);
    } catch (IOException e) {
      throw new PolicyException("cannot read " + DEFAULT_RESOURCE, e);
    }
  }
}
