package io.llmtrace.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.llmtrace.gateway.intake.Principal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The API keys the gateway accepts, loaded from a YAML file that holds only SHA-256 hashes of the
 * keys, never the keys themselves:
 *
 * <pre>
 * keys:
 *   - id: acme-support-prod            # shows up in logs and metrics, never the key
 *     sha256: 2c26b46b68ffc68f...      # java -cp ... io.llmtrace.gateway.auth.ApiKeys hash &lt;key&gt;
 *     tenant: acme
 *     project: support-bot             # optional: scopes the key to one project
 *     environments: [production, staging]   # optional: empty = any
 *     default_environment: production  # optional: for spans that name none
 *     spans_per_second: 5000           # optional: overrides the gateway default
 * </pre>
 */
public final class ApiKeys {

  /** One configured key: who it acts for and its own rate limit (0 = the gateway default). */
  public record Entry(Principal principal, int spansPerSecond) {}

  private final Map<String, Entry> byHash;
  /** Presented keys that matched, so a busy key is hashed once, not per request. Holds only valid keys. */
  private final Map<String, Entry> recognised = new java.util.concurrent.ConcurrentHashMap<>();

  public ApiKeys(Map<String, Entry> byHash) {
    this.byHash = Map.copyOf(byHash);
  }

  public static ApiKeys load(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException("API key file " + file + " is not valid YAML: " + e.getMessage(), e);
    }
    JsonNode keys = root == null ? null : root.get("keys");
    if (keys == null || !keys.isArray()) {
      throw new IllegalArgumentException("API key file " + file + " must have a top-level 'keys' list");
    }
    Map<String, Entry> byHash = new HashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      JsonNode key = keys.get(i);
      String where = file + ": keys[" + i + "]";
      String id = text(key, "id", where, true);
      String hash = text(key, "sha256", where, true).toLowerCase();
      if (!hash.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException(where + ".sha256 must be 64 hex characters (the SHA-256 of the key)");
      }
      Set<String> environments = new LinkedHashSet<>();
      JsonNode envs = key.get("environments");
      if (envs != null) {
        envs.forEach(env -> environments.add(env.asText()));
      }
      String defaultEnvironment = text(key, "default_environment", where, false);
      if (defaultEnvironment == null && !environments.isEmpty()) {
        defaultEnvironment = environments.iterator().next();
      }
      Principal principal;
      try {
        principal = new Principal(id, text(key, "tenant", where, true), text(key, "project", where, false), environments, defaultEnvironment);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
      }
      int rate = key.path("spans_per_second").asInt(0);
      if (byHash.put(hash, new Entry(principal, rate)) != null) {
        throw new IllegalArgumentException(where + ": the same key hash is configured twice");
      }
    }
    return new ApiKeys(byHash);
  }

  /** The entry for a presented key, if it is one of ours. */
  public Optional<Entry> lookup(String presentedKey) {
    Entry known = recognised.get(presentedKey);
    if (known != null) {
      return Optional.of(known);
    }
    Entry entry = byHash.get(sha256(presentedKey));
    if (entry != null && recognised.size() < 4 * byHash.size() + 16) {
      recognised.put(presentedKey, entry);
    }
    return Optional.ofNullable(entry);
  }

  public int size() {
    return byHash.size();
  }

  public static String sha256(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String text(JsonNode node, String field, String where, boolean required) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull() || value.asText().isBlank()) {
      if (required) {
        throw new IllegalArgumentException(where + "." + field + " is required");
      }
      return null;
    }
    return value.asText().strip();
  }

  /** {@code ApiKeys hash <key>}: prints the SHA-256 to put into the key file. */
  public static void main(String[] args) {
    if (args.length != 2 || !args[0].equals("hash")) {
      System.err.println("usage: ApiKeys hash <api key>");
      System.exit(2);
    }
    System.out.println(sha256(args[1]));
  }
}
