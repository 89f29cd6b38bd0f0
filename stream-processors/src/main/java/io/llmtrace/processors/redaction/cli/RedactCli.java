package io.llmtrace.processors.redaction.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.llmtrace.processors.redaction.RedactionPolicy;
import io.llmtrace.processors.redaction.Redactor;
import io.llmtrace.processors.redaction.TextRedactor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Tries a redaction policy on sample data before it goes live, for security reviewers:
 *
 * <pre>
 * redact --policy deploy/config/redaction-policy.yaml [--tenant acme] [--json] [file|-]
 * </pre>
 *
 * Text mode redacts each line; {@code --json} reads one JSON document per line (spans in any shape, e.g.
 * the gateway's native JSON) and redacts every string value in it. Each result is printed with the
 * detectors that fired and how often, then a total. Exit status: 0 clean, 1 something was found, 2 usage
 * or policy error.
 */
public final class RedactCli {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String THROWAWAY_HASH_KEY = "redact-cli-throwaway-hash-key";

  private RedactCli() {}

  public static void main(String[] args) throws IOException {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
    Path policyFile = null;
    String tenant = null;
    boolean json = false;
    String input = "-";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--policy" -> policyFile = Path.of(value(args, ++i, "--policy"));
        case "--tenant" -> tenant = value(args, ++i, "--tenant");
        case "--json" -> json = true;
        case "-h", "--help" -> {
          out.println("usage: redact --policy <policy.yaml> [--tenant <id>] [--json] [file|-]");
          return 0;
        }
        default -> input = args[i];
      }
    }
    if (policyFile == null) {
      err.println("redact: --policy <file> is required");
      return 2;
    }
    TextRedactor redactor;
    try {
      // Hash actions need the policy's key; without one set, a throwaway key shows what hashing does.
      boolean[] throwaway = {false};
      RedactionPolicy policy = RedactionPolicy.parse(Files.readString(policyFile), policyFile.toString(), name -> {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
          throwaway[0] = true;
          return THROWAWAY_HASH_KEY;
        }
        return value;
      });
      if (throwaway[0]) {
        err.println("redact: the policy's hash key variable is not set; pseudonyms below use a throwaway key");
      }
      redactor = new Redactor(policy).textRedactor(tenant);
    } catch (RuntimeException e) {
      err.println("redact: " + e.getMessage());
      return 2;
    }
    Map<String, Integer> total = new TreeMap<>();
    int lineNumber = 0;
    try (BufferedReader reader = input.equals("-")
        ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
        : Files.newBufferedReader(Path.of(input), StandardCharsets.UTF_8)) {
      for (String line; (line = reader.readLine()) != null; ) {
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        Map<String, Integer> counts = new TreeMap<>();
        String result;
        if (json) {
          try {
            result = JSON.writeValueAsString(redactJson(JSON.readTree(line), redactor, counts));
          } catch (IOException e) {
            err.println("line " + lineNumber + ": not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
            continue;
          }
        } else {
          result = redactor.redact(line, counts);
        }
        out.println(result);
        out.println("  # line " + lineNumber + ": " + (counts.isEmpty() ? "nothing found" : counts));
        counts.forEach((detector, n) -> total.merge(detector, n, Integer::sum));
      }
    }
    out.println("# total: " + (total.isEmpty() ? "nothing found" : total));
    return total.isEmpty() ? 0 : 1;
  }

  private static JsonNode redactJson(JsonNode node, TextRedactor redactor, Map<String, Integer> counts) {
    if (node.isTextual()) {
      return TextNode.valueOf(redactor.redact(node.asText(), counts));
    }
    if (node instanceof ObjectNode object) {
      List<String> names = new ArrayList<>();
      object.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        object.set(name, redactJson(object.get(name), redactor, counts));
      }
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        array.set(i, redactJson(array.get(i), redactor, counts));
      }
    }
    return node;
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }
}
