package io.llmtrace.schemas.serde;

import io.llmtrace.schemas.registry.SchemaRegistryClient;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of the Avro serde, read from a Kafka client config map with Confluent's key names so
 * existing configs carry over. Invalid values fail at configure time naming the key and the value.
 */
public record AvroSerdeConfig(
    List<String> registryUrls,
    boolean autoRegisterSchemas,
    boolean useLatestVersion,
    String basicAuthUserInfo,
    Duration connectTimeout,
    Duration requestTimeout) {

  /** Comma-separated registry base URLs (a path such as {@code /apis/ccompat/v7} is allowed). */
  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
  /** Register the record's schema under the subject when serializing; default true. */
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
  /** Serialize with the subject's latest id (needs auto.register.schemas=false); default false. */
  public static final String USE_LATEST_VERSION = "use.latest.version";
  /** Basic auth credentials {@code user:password}. */
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
  /** Confluent's prefixed spelling of {@link #BASIC_AUTH_USER_INFO}, accepted too. */
  public static final String SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO = "schema.registry.basic.auth.user.info";
  /** Registry connect timeout in milliseconds; default 5000. */
  public static final String CONNECT_TIMEOUT_MS = "schema.registry.connect.timeout.ms";
  /** Registry request timeout in milliseconds; default 10000. */
  public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";

  public static final boolean DEFAULT_AUTO_REGISTER_SCHEMAS = true;
  public static final boolean DEFAULT_USE_LATEST_VERSION = false;

  public AvroSerdeConfig {
    registryUrls = List.copyOf(registryUrls);
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if (useLatestVersion && autoRegisterSchemas) {
      // Confluent silently ignores use.latest.version here; a setting that does nothing is a trap.
      throw new ConfigException(
          USE_LATEST_VERSION, true, "requires " + AUTO_REGISTER_SCHEMAS + "=false");
    }
  }

  /** Reads the serde settings; {@value #SCHEMA_REGISTRY_URL} is required. */
  public static AvroSerdeConfig from(Map<String, ?> configs) {
    AvroSerdeConfig config = fromWithoutUrl(configs);
    if (config.registryUrls().isEmpty()) {
      throw new ConfigException(
          SCHEMA_REGISTRY_URL, configs.get(SCHEMA_REGISTRY_URL), "a schema registry URL is required");
    }
    return config;
  }

  /** Reads the serde settings for a serde given its registry client, so no URL is needed. */
  public static AvroSerdeConfig fromWithoutUrl(Map<String, ?> configs) {
    Object userInfo = configs.get(BASIC_AUTH_USER_INFO);
    if (userInfo == null) {
      userInfo = configs.get(SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO);
    }
    if (userInfo != null && !userInfo.toString().contains(":")) {
      // The value is a secret: name the key, never echo the value.
      throw new ConfigException(BASIC_AUTH_USER_INFO + " must be 'user:password'");
    }
    return new AvroSerdeConfig(
        urls(configs.get(SCHEMA_REGISTRY_URL)),
        bool(configs, AUTO_REGISTER_SCHEMAS, DEFAULT_AUTO_REGISTER_SCHEMAS),
        bool(configs, USE_LATEST_VERSION, DEFAULT_USE_LATEST_VERSION),
        userInfo == null ? null : userInfo.toString(),
        millis(configs, CONNECT_TIMEOUT_MS, SchemaRegistryClient.DEFAULT_CONNECT_TIMEOUT),
        millis(configs, REQUEST_TIMEOUT_MS, SchemaRegistryClient.DEFAULT_REQUEST_TIMEOUT));
  }

  /** A new registry client with these settings. */
  public SchemaRegistryClient newClient() {
    return SchemaRegistryClient.builder(registryUrls)
        .basicAuthUserInfo(basicAuthUserInfo)
        .connectTimeout(connectTimeout)
        .requestTimeout(requestTimeout)
        .build();
  }

  @Override
  public String toString() {
    return "AvroSerdeConfig[registryUrls=" + registryUrls
        + ", autoRegisterSchemas=" + autoRegisterSchemas
        + ", useLatestVersion=" + useLatestVersion
        + ", basicAuthUserInfo=" + (basicAuthUserInfo == null ? "none" : "[hidden]")
        + ", connectTimeout=" + connectTimeout
        + ", requestTimeout=" + requestTimeout + "]";
  }

  private static List<String> urls(Object value) {
    if (value == null) {
      return List.of();
    }
    if (value instanceof Collection<?> list) {
      return list.stream().map(Object::toString).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
    return List.of(value.toString().split(",")).stream()
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  private static boolean bool(Map<String, ?> configs, String key, boolean defaultValue) {
    Object value = configs.get(key);
    if (value == null) {
      return defaultValue;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    String text = value.toString().trim();
    if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(text);
    }
    throw new ConfigException(key, value, "expected true or false");
  }

  private static Duration millis(Map<String, ?> configs, String key, Duration defaultValue) {
    Object value = configs.get(key);
    if (value == null) {
      return defaultValue;
    }
    long ms;
    try {
      ms = value instanceof Number n ? n.longValue() : Long.parseLong(value.toString().trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key, value, "expected a number of milliseconds");
    }
    if (ms <= 0) {
      throw new ConfigException(key, value, "must be positive");
    }
    return Duration.ofMillis(ms);
  }
}
