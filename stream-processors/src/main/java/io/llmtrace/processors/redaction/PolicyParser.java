package io.llmtrace.processors.redaction;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads the policy YAML into a tree and validates it, remembering the line of every node so that
 * each error says "source:line: what is wrong". Jackson's tree drops locations, so a first pass
 * over the token stream records JSON pointer → line.
 */
final class PolicyParser {

  private static final Set<String> TOP_KEYS =
      Set.of("version", "hash_key", "hash_key_env", "default_action", "detectors", "custom_detectors",
          "attributes", "hash_user_ids", "canaries", "tenants");
  private static final Set<String> TENANT_KEYS = Set.of("detectors", "attributes", "hash_user_ids");
  private static final Set<String> ATTRIBUTE_KEYS =
      Set.of("blocked_key_patterns", "blocked_key_action", "allowed_keys");
  private static final Set<String> CUSTOM_KEYS = Set.of("name", "pattern", "action");

  private final String source;
  private final Function<String, String> env;
  private final Map<String, Integer> lines = new HashMap<>();
  private final Map<String, Detector> customDetectors = new LinkedHashMap<>();
  private final List<String> needsHashKey = new ArrayList<>();

  PolicyParser(String source, Function<String, String> env) {
    this.source = source;
    this.env = env;
  }

  RedactionPolicy parse(String yaml) {
    JsonNode root = readTree(yaml);
    if (root == null || !root.isObject()) {
      throw error("", "the policy must be a YAML mapping");
    }
    checkKeys(root, "", TOP_KEYS);
    String version = text(root, "/version", true);
    Action defaultAction = action(root.get("default_action"), "/default_action", Action.MASK);

    JsonNode custom = root.get("custom_detectors");
    if (custom != null) {
      requireArray(custom, "/custom_detectors");
      for (int i = 0; i < custom.size(); i++) {
        readCustom(custom.get(i), "/custom_detectors/" + i);
      }
    }
    Map<String, Action> baseActions = new HashMap<>();
    for (String name : BuiltInDetectors.names()) {
      baseActions.put(name, defaultAction);
    }
    customActions.forEach(baseActions::put);
    readActions(root.get("detectors"), "/detectors", baseActions);
    AttributeRules baseAttributes =
        readAttributes(root.get("attributes"), "/attributes", new AttributeRules(List.of(), Action.MASK, null));
    boolean baseHashUsers = bool(root.get("hash_user_ids"), "/hash_user_ids", false);
    Rules base = rules(baseActions, baseAttributes, baseHashUsers, "");

    Map<String, Rules> tenants = new HashMap<>();
    JsonNode t = root.get("tenants");
    if (t != null) {
      requireObject(t, "/tenants");
      for (Iterator<Map.Entry<String, JsonNode>> it = t.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String path = "/tenants/" + escape(e.getKey());
        JsonNode tn = e.getValue();
        requireObject(tn, path);
        checkKeys(tn, path, TENANT_KEYS);
        Map<String, Action> actions = new HashMap<>(baseActions);
        readActions(tn.get("detectors"), path + "/detectors", actions);
        AttributeRules attrs = readAttributes(tn.get("attributes"), path + "/attributes", baseAttributes);
        boolean tenantHashUsers = bool(tn.get("hash_user_ids"), path + "/hash_user_ids", baseHashUsers);
        tenants.put(e.getKey(), rules(actions, attrs, tenantHashUsers, path));
      }
    }

    List<String> canaries = new ArrayList<>();
    JsonNode c = root.get("canaries");
    if (c != null) {
      requireArray(c, "/canaries");
      for (int i = 0; i < c.size(); i++) {
        String v = text(c, "/canaries/" + i, true);
        canaries.add(v);
      }
    }
    Pseudonymizer pseudonymizer = needsHashKey.isEmpty() ? null : new Pseudonymizer(hashKey(root));
    return new RedactionPolicy(version, base, tenants, pseudonymizer, canaries);
  }

  private final Map<String, Action> customActions = new LinkedHashMap<>();

  private void readCustom(JsonNode n, String path) {
    requireObject(n, path);
    checkKeys(n, path, CUSTOM_KEYS);
    String name = text(n, path + "/name", true);
    if (!name.matches("[a-z][a-z0-9_]{0,63}")) {
      throw error(path + "/name", "custom detector name '" + name + "' must be snake_case");
    }
    if (BuiltInDetectors.all().containsKey(name) || customDetectors.containsKey(name)) {
      throw error(path + "/name", "detector '" + name + "' is already defined");
    }
    String regex = text(n, path + "/pattern", true);
    Pattern p = compile(regex, path + "/pattern");
    customDetectors.put(name, customDetector(name, p));
    customActions.put(name, action(n.get("action"), path + "/action", Action.MASK));
    if (customActions.get(name) == Action.HASH) {
      needsHashKey.add(path + "/action");
    }
  }

  /**
   * A custom detector; when its regex starts with a plain literal (optionally after {@code \\b}) and
   * has no alternation, flags or quoting, it runs only where that literal occurs.
   */
  static PatternDetector customDetector(String name, Pattern p) {
    String literal = leadingLiteral(p);
    if (literal == null) {
      return new PatternDetector(name, List.of(p), PatternDetector.Prefilter.ALWAYS, PatternDetector.Refiner.ACCEPT);
    }
    return new PatternDetector(
        name,
        List.of(p),
        (text, profile) -> text.contains(literal),
        PatternDetector.Refiner.ACCEPT,
        List.of(Starts.needles(0, literal)));
  }

  private static String leadingLiteral(Pattern p) {
    String r = p.pattern();
    if (p.flags() != 0 || r.indexOf('|') >= 0 || r.contains("(?") || r.contains("\\Q")) {
      return null;
    }
    int i = r.startsWith("\\b") ? 2 : 0;
    int j = i;
    while (j < r.length() && (Starts.alnum(r.charAt(j)) || r.charAt(j) == '_' || r.charAt(j) == '-')) {
      j++;
    }
    if (j < r.length() && "?*+{".indexOf(r.charAt(j)) >= 0) {
      j--;
    }
    return j - i >= 3 ? r.substring(i, j) : null;
  }

  private void readActions(JsonNode n, String path, Map<String, Action> into) {
    if (n == null) {
      return;
    }
    requireObject(n, path);
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String p = path + "/" + escape(e.getKey());
      if (!BuiltInDetectors.all().containsKey(e.getKey()) && !customDetectors.containsKey(e.getKey())) {
        throw error(p, "unknown detector '" + e.getKey() + "'; known: "
            + String.join(", ", BuiltInDetectors.names()) + (customDetectors.isEmpty() ? "" : ", " + String.join(", ", customDetectors.keySet())));
      }
      into.put(e.getKey(), action(e.getValue(), p, null));
    }
  }

  private AttributeRules readAttributes(JsonNode n, String path, AttributeRules inherited) {
    if (n == null) {
      return inherited;
    }
    requireObject(n, path);
    checkKeys(n, path, ATTRIBUTE_KEYS);
    List<Pattern> blocked = inherited.blockedKeyPatterns();
    JsonNode b = n.get("blocked_key_patterns");
    if (b != null) {
      requireArray(b, path + "/blocked_key_patterns");
      blocked = new ArrayList<>();
      for (int i = 0; i < b.size(); i++) {
        String p = path + "/blocked_key_patterns/" + i;
        blocked.add(compile(text(b, p, true), p));
      }
    }
    Action blockedAction = n.has("blocked_key_action")
        ? action(n.get("blocked_key_action"), path + "/blocked_key_action", null)
        : inherited.blockedKeyAction();
    if (blockedAction == Action.OFF) {
      throw error(path + "/blocked_key_action", "blocked_key_action must be mask, hash or drop");
    }
    if (blockedAction == Action.HASH) {
      needsHashKey.add(path + "/blocked_key_action");
    }
    Set<String> allowed = inherited.allowedKeys();
    JsonNode a = n.get("allowed_keys");
    if (a != null) {
      requireArray(a, path + "/allowed_keys");
      allowed = new HashSet<>();
      for (int i = 0; i < a.size(); i++) {
        allowed.add(text(a, path + "/allowed_keys/" + i, true));
      }
    }
    return new AttributeRules(blocked, blockedAction, allowed);
  }

  private Rules rules(Map<String, Action> actions, AttributeRules attrs, boolean hashUserIds, String path) {
    List<Detector> enabled = new ArrayList<>();
    for (Detector d : BuiltInDetectors.all().values()) {
      if (actions.get(d.name()) != Action.OFF) {
        enabled.add(d);
      }
    }
    for (Detector d : customDetectors.values()) {
      if (actions.get(d.name()) != Action.OFF) {
        enabled.add(d);
      }
    }
    actions.forEach((name, a) -> {
      if (a == Action.HASH) {
        needsHashKey.add(path + "/detectors/" + name);
      }
    });
    if (hashUserIds) {
      needsHashKey.add(path + "/hash_user_ids");
    }
    return new Rules(enabled, actions, attrs, hashUserIds);
  }

  private byte[] hashKey(JsonNode root) {
    String why = "'" + needsHashKey.get(0).replaceFirst("^/", "").replace('/', '.') + "' needs a hash key";
    String literal = root.has("hash_key") ? text(root, "/hash_key", true) : null;
    String envName = root.has("hash_key_env") ? text(root, "/hash_key_env", true) : null;
    if (literal != null && envName != null) {
      throw error("/hash_key_env", "set hash_key or hash_key_env, not both");
    }
    if (literal != null) {
      if (literal.length() < 16) {
        throw error("/hash_key", "hash_key must be at least 16 characters");
      }
      return literal.getBytes(StandardCharsets.UTF_8);
    }
    if (envName == null) {
      throw error(needsHashKey.get(0), "missing hash key: " + why + " but neither hash_key nor hash_key_env is set");
    }
    String value = env.apply(envName);
    if (value == null || value.isBlank()) {
      throw error("/hash_key_env", "missing hash key: " + why + " but environment variable " + envName + " is not set");
    }
    if (value.length() < 16) {
      throw error("/hash_key_env", "hash key in " + envName + " must be at least 16 characters");
    }
    return value.getBytes(StandardCharsets.UTF_8);
  }

  // ---- tree helpers -------------------------------------------------------------------------

  private JsonNode readTree(String yaml) {
    YAMLFactory factory = new YAMLFactory();
    factory.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    ObjectMapper mapper = new ObjectMapper(factory);
    try (JsonParser p = factory.createParser(yaml)) {
      JsonToken tok;
      while ((tok = p.nextToken()) != null) {
        JsonPointer ptr = p.getParsingContext().pathAsPointer();
        lines.putIfAbsent(ptr.toString(), p.currentTokenLocation().getLineNr());
        if (tok == JsonToken.START_OBJECT || tok == JsonToken.START_ARRAY) {
          continue;
        }
      }
      return mapper.readTree(yaml);
    } catch (JsonProcessingException e) {
      JsonLocation loc = e.getLocation();
      String where = loc == null ? source : source + ":" + loc.getLineNr();
      throw new PolicyException(where + ": malformed YAML: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new PolicyException(source + ": cannot read policy: " + e.getMessage(), e);
    }
  }

  private PolicyException error(String pointer, String message) {
    String p = pointer;
    Integer line = null;
    while (line == null) {
      line = lines.get(p);
      if (p.isEmpty()) {
        break;
      }
      p = p.substring(0, Math.max(0, p.lastIndexOf('/')));
    }
    String where = line == null ? source : source + ":" + line;
    return new PolicyException(where + ": " + message);
  }

  private void checkKeys(JsonNode n, String path, Set<String> allowed) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw error(path + "/" + escape(k), "unknown key '" + k + "' (expected one of " + new java.util.TreeSet<>(allowed) + ")");
      }
    }
  }

  private String text(JsonNode parent, String pointer, boolean required) {
    JsonNode n = parent.at(pointer.substring(pointer.lastIndexOf('/')));
    if (n == null || n.isMissingNode() || n.isNull()) {
      if (required) {
        throw error(pointer, "missing required value '" + pointer.substring(pointer.lastIndexOf('/') + 1) + "'");
      }
      return null;
    }
    if (!n.isValueNode() || n.asText().isEmpty()) {
      throw error(pointer, "expected a non-empty string");
    }
    return n.asText();
  }

  private Action action(JsonNode n, String pointer, Action dflt) {
    if (n == null || n.isNull()) {
      if (dflt == null) {
        throw error(pointer, "missing action (expected mask, hash, drop or off)");
      }
      return dflt;
    }
    if (n.isBoolean() && !n.booleanValue()) {
      return Action.OFF; // YAML 1.1 reads a bare `off` as false
    }
    String v = n.asText().trim().toLowerCase(Locale.ROOT);
    for (Action a : Action.values()) {
      if (a.yamlName().equals(v)) {
        return a;
      }
    }
    throw error(pointer, "unknown action '" + n.asText() + "' (expected mask, hash, drop or off)");
  }

  private boolean bool(JsonNode n, String pointer, boolean dflt) {
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isBoolean()) {
      throw error(pointer, "expected true or false, got '" + n.asText() + "'");
    }
    return n.booleanValue();
  }

  private Pattern compile(String regex, String pointer) {
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw error(pointer, "bad regex '" + regex + "': " + e.getDescription() + " near index " + e.getIndex());
    }
  }

  private void requireObject(JsonNode n, String pointer) {
    if (!n.isObject()) {
      throw error(pointer, "expected a mapping");
    }
  }

  private void requireArray(JsonNode n, String pointer) {
    if (!n.isArray()) {
      throw error(pointer, "expected a list");
    }
  }

  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
