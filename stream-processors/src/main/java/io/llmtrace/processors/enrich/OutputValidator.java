package io.llmtrace.processors.enrich;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.Error;
import io.llmtrace.schemas.avro.GenerationSettings;
import io.llmtrace.schemas.avro.LlmOutput;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.OutputValidation;
import io.llmtrace.schemas.avro.ToolCall;
import io.llmtrace.schemas.avro.ToolDefinition;
import io.llmtrace.schemas.avro.ToolExecution;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks, once per span, that the output is the JSON the request asked for and that tool arguments fit
 * their tools' schemas, and stores the verdict on the span ({@code output_validation}) for the metrics
 * stage and for analysts:
 *
 * <pre>
 * json_requested            response_format json / json_object / json_schema / a schema name (not text, image,
 *                           speech, audio, none), structured_output_json present, or a response schema attached
 * json_parse_failed         the output (structured_output_json, else text) is not one JSON value
 * schema_validation_failed  it does not validate against attribute llmtrace.response_format.schema
 * tool_argument_failures    output.tool_calls[i].arguments_json not JSON, or failing the parameters_json of the
 *                           generation_settings.tools entry of that name; tool_execution.arguments_json likewise,
 *                           when the span itself defines that tool (a TOOL span's schema is on its parent)
 * checks_not_run            schema_invalid, too_large, truncated (the gateway cut the text: llmtrace.truncated or
 *                           its "…[truncated N chars]" mark), timeout (patterns over the span's time budget)
 * </pre>
 *
 * {@code output_validation} is null when there was nothing to check. The errors name the field, the JSON
 * pointer and the failed keyword, or the reason a check did not run, never a value: they are stored next to
 * redacted text and must not undo it. Nothing a span carries (a broken schema, a megabyte of output, a
 * pathological pattern, deep nesting) makes {@link #validate} throw or take longer than about its budget per
 * pattern check: the stage must keep running. Kafka-free and thread-safe.
 */
public final class OutputValidator {

  /** Attribute holding the response JSON schema (the gateway keeps OpenAI's response_format.json_schema.schema there). */
  public static final String RESPONSE_SCHEMA = "llmtrace.response_format.schema";
  /** Attribute in which the gateway lists the fields it truncated, comma-separated paths. */
  public static final String TRUNCATED = "llmtrace.truncated";

  static final int MAX_ERRORS = 20;
  static final int MAX_ERROR_CHARS = 200;
  /** Deeper JSON is no answer a model gives on purpose; the limit keeps the validator's recursion shallow. */
  static final int MAX_NESTING = 256;

  /**
   * The gateway's mark at the end of a value it cut; found in the text too, because a tenant's attribute
   * allowlist may have removed {@value #TRUNCATED} during redaction.
   */
  private static final Pattern TRUNCATION_MARK = Pattern.compile("…\\[truncated \\d+ chars]$");
  private static final Set<String> NOT_JSON = Set.of("text", "plain", "image", "speech", "audio", "none", "auto");

  /**
   * @param maxTextChars     output and arguments longer than this are not checked (too_large)
   * @param maxSchemaChars   schemas longer than this are not compiled (too_large)
   * @param maxCachedSchemas distinct schema texts kept compiled
   * @param patternBudget    time all pattern matches of one span may take together (timeout)
   */
  public record Limits(int maxTextChars, int maxSchemaChars, int maxCachedSchemas, Duration patternBudget) {

    public static final int DEFAULT_MAX_TEXT_CHARS = 1 << 20;
    public static final int DEFAULT_MAX_SCHEMA_CHARS = 64 << 10;
    public static final int DEFAULT_MAX_CACHED_SCHEMAS = 512;
    public static final Duration DEFAULT_PATTERN_BUDGET = Duration.ofMillis(250);

    public Limits {
      if (maxTextChars < 1 || maxSchemaChars < 1 || maxCachedSchemas < 1) {
        throw new IllegalArgumentException("limits must be positive: " + maxTextChars + ", " + maxSchemaChars + ", " + maxCachedSchemas);
      }
      if (patternBudget.isNegative() || patternBudget.isZero()) {
        throw new IllegalArgumentException("patternBudget must be positive, got " + patternBudget);
      }
    }

    public static Limits defaults() {
      return new Limits(DEFAULT_MAX_TEXT_CHARS, DEFAULT_MAX_SCHEMA_CHARS, DEFAULT_MAX_CACHED_SCHEMAS, DEFAULT_PATTERN_BUDGET);
    }
  }

  private final Limits limits;
  private final ObjectMapper json;
  private final JsonSchemas schemas;

  public OutputValidator() {
    this(Limits.defaults());
  }

  public OutputValidator(Limits limits) {
    this.limits = limits;
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING)
            .maxStringLength(Math.max(limits.maxTextChars(), limits.maxSchemaChars()))
            .build())
        .build();
    // one value, nothing after it: "{...} Hope this helps!" is not the JSON that was asked for
    this.json = JsonMapper.builder(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    this.schemas = new JsonSchemas(limits.maxSchemaChars(), limits.maxCachedSchemas());
  }

  /** Sets the span's {@code output_validation} (null when there is nothing to check); never throws. */
  public void validate(LlmSpan span) {
    OutputValidation result;
    try {
      result = check(span);
    } catch (RuntimeException | StackOverflowError e) {
      // a validator bug must not dead-letter a good span: it goes on unvalidated, and says so
      result = OutputValidation.newBuilder().setChecksNotRun(1)
          .setErrors(new ArrayList<>(List.of("output_validation: not run (" + e.getClass().getSimpleName() + ")"))).build();
    }
    span.setOutputValidation(result);
  }

  /** The verdict for {@code span}, or null when it asks for no JSON and has no tool arguments. */
  OutputValidation check(LlmSpan span) {
    Run run = new Run(truncated(span));
    RegexBudget.start(limits.patternBudget().toNanos());
    try {
      boolean jsonRequested = checkOutput(span, run);
      checkTools(span, run);
      if (!jsonRequested && run.checks == 0) {
        return null;
      }
      return OutputValidation.newBuilder()
          .setJsonRequested(jsonRequested)
          .setJsonParseFailed(run.outputParseFailed)
          .setSchemaValidationFailed(run.outputSchemaFailed)
          .setToolArgumentFailures(run.toolFailures)
          .setChecksNotRun(run.notRun)
          .setErrors(run.errors)
          .build();
    } finally {
      RegexBudget.clear();
    }
  }

  /** Distinct schema texts compiled and kept (for tests and metrics). */
  int cachedSchemas() {
    return schemas.cachedSchemas();
  }

  private boolean checkOutput(LlmSpan span, Run run) {
    LlmOutput output = span.getOutput();
    String responseSchema = span.getAttributes().get(RESPONSE_SCHEMA);
    if (!jsonRequested(span.getGenerationSettings(), output, responseSchema)) {
      return false;
    }
    if (output == null) {
      return true; // a call that failed before answering has nothing to parse
    }
    String path = output.getStructuredOutputJson() != null ? "output.structured_output_json" : "output.text";
    String text = output.getStructuredOutputJson() != null ? output.getStructuredOutputJson() : output.getText();
    if (text == null) {
      return true; // an answer made of tool calls only
    }
    Parsed parsed = run.parse(path, text);
    if (parsed.failed()) {
      run.outputParseFailed = true;
    } else if (parsed.value() != null && responseSchema != null) {
      run.outputSchemaFailed = !run.conforms(path, parsed.value(), responseSchema, "attributes['" + RESPONSE_SCHEMA + "']");
    }
    return true;
  }

  static boolean jsonRequested(GenerationSettings settings, LlmOutput output, String responseSchema) {
    if (responseSchema != null || output != null && output.getStructuredOutputJson() != null) {
      return true;
    }
    String format = settings == null ? null : settings.getResponseFormat();
    if (format == null || format.isBlank()) {
      return false;
    }
    return !NOT_JSON.contains(format.strip().toLowerCase(Locale.ROOT));
  }

  private void checkTools(LlmSpan span, Run run) {
    Map<String, Integer> toolIndex = new HashMap<>();
    List<ToolDefinition> tools = span.getGenerationSettings() == null ? List.of() : span.getGenerationSettings().getTools();
    for (int i = 0; i < tools.size(); i++) {
      if (tools.get(i).getParametersJson() != null) {
        toolIndex.putIfAbsent(tools.get(i).getName(), i); // the first definition of a name is the one offered
      }
    }
    if (span.getOutput() != null) {
      List<ToolCall> calls = span.getOutput().getToolCalls();
      for (int i = 0; i < calls.size(); i++) {
        ToolCall call = calls.get(i);
        if (call.getArgumentsJson() != null) {
          // the provider returns arguments as JSON text: not JSON is a failure even without a schema
          checkArguments("output.tool_calls[" + i + "].arguments_json", call.getArgumentsJson(), call.getName(), tools, toolIndex, run);
        }
      }
    }
    ToolExecution execution = span.getToolExecution();
    if (execution != null && execution.getArgumentsJson() != null && toolIndex.containsKey(execution.getName())) {
      // without its definition a TOOL span's arguments may be any text (OpenInference input.value): unchecked
      checkArguments("tool_execution.arguments_json", execution.getArgumentsJson(), execution.getName(), tools, toolIndex, run);
    }
  }

  private void checkArguments(String path, String arguments, String tool, List<ToolDefinition> tools, Map<String, Integer> toolIndex, Run run) {
    run.checks++;
    Parsed parsed = run.parse(path, arguments);
    if (parsed.failed()) {
      run.toolFailures++;
      return;
    }
    Integer index = toolIndex.get(tool);
    if (parsed.value() != null && index != null) {
      String schemaPath = "generation_settings.tools[" + index + "].parameters_json";
      if (!run.conforms(path, parsed.value(), tools.get(index).getParametersJson(), schemaPath)) {
        run.toolFailures++;
      }
    }
  }

  private static Set<String> truncated(LlmSpan span) {
    String cut = span.getAttributes().get(TRUNCATED);
    return cut == null || cut.isEmpty() ? Set.of() : Set.of(cut.split(","));
  }

  /** A parse result: a value, not JSON ({@link #FAILED}), or not checked ({@link #SKIPPED}, counted as not run). */
  private record Parsed(JsonNode value, boolean failed) {
    static final Parsed FAILED = new Parsed(null, true);
    static final Parsed SKIPPED = new Parsed(null, false);
  }

  /** The checks of one span and what they found. */
  private final class Run {
    private final Set<String> truncated;
    private final List<String> errors = new ArrayList<>(0);
    private int checks;
    private int notRun;
    private int toolFailures;
    private boolean outputParseFailed;
    private boolean outputSchemaFailed;

    Run(Set<String> truncated) {
      this.truncated = truncated;
    }

    Parsed parse(String path, String text) {
      if (truncated.contains(path) || TRUNCATION_MARK.matcher(text).find()) {
        return skip(path, "truncated");
      }
      if (text.length() > limits.maxTextChars()) {
        return skip(path, "too_large (" + text.length() + " chars)");
      }
      try {
        JsonNode value = json.readTree(text);
        if (value == null || value.isMissingNode()) {
          error(path + ": not JSON (empty)");
          return Parsed.FAILED;
        }
        return new Parsed(value, false);
      } catch (StreamConstraintsException e) {
        return skip(path, "too_large (nesting or a number over the parser's limits)");
      } catch (JsonProcessingException e) {
        // Jackson's message quotes the offending token, which is payload: only the position is kept
        JsonLocation at = e.getLocation();
        error(path + ": not JSON" + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        return Parsed.FAILED;
      }
    }

    /** True when {@code value} validates or the check could not run (then counted as not run). */
    boolean conforms(String path, JsonNode value, String schemaText, String schemaPath) {
      if (truncated.contains(schemaPath)) {
        skip(schemaPath, "truncated");
        return true;
      }
      JsonSchemas.Compiled compiled = schemas.get(schemaText, this::readSchema);
      if (compiled instanceof JsonSchemas.Unusable unusable) {
        skip(schemaPath, unusable.reason());
        return true;
      }
      List<Error> failures;
      try {
        failures = ((JsonSchemas.Usable) compiled).schema().validate(value);
      } catch (RegexBudget.Exhausted e) {
        skip(path, "timeout");
        return true;
      } catch (RuntimeException | StackOverflowError e) {
        skip(path, "schema_invalid (" + e.getClass().getSimpleName() + ")");
        return true;
      }
      if (failures.isEmpty()) {
        return true;
      }
      Error first = failures.get(0);
      String where = first.getInstanceLocation() == null ? "" : first.getInstanceLocation().toString();
      // required names a property the schema lists; other keywords' properties may be the payload's own keys
      String property = "required".equals(first.getKeyword()) && first.getProperty() != null ? " '" + first.getProperty() + "'" : "";
      error(path + ": " + first.getKeyword() + property + " at " + (where.isEmpty() ? "/" : where));
      return false;
    }

    private JsonNode readSchema(String text) {
      try {
        JsonNode node = json.readTree(text);
        return node == null || node.isMissingNode() ? null : node;
      } catch (JsonProcessingException e) {
        return null;
      }
    }

    private Parsed skip(String path, String reason) {
      notRun++;
      error(path + ": not run, " + reason);
      return Parsed.SKIPPED;
    }

    private void error(String error) {
      if (errors.size() < MAX_ERRORS) {
        errors.add(error.length() <= MAX_ERROR_CHARS ? error : error.substring(0, MAX_ERROR_CHARS - 1) + "…");
      }
    }
  }
}
