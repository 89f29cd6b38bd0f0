package io.llmtrace.processors.enrich;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A genai-prices match rule on a model or provider name ({@code {"starts_with": "gpt-4o"}},
 * {@code {"or": [...]}}), with the package's semantics: string rules compare ignoring case, a regex is
 * searched anywhere in the name (JavaScript's {@code RegExp.test}) and is case-sensitive. Names reach
 * {@link #matches} already lower-cased, as {@code calcPrice} lower-cases them, so the string rules keep
 * their pattern lower-cased once at load instead of on every comparison.
 */
sealed interface MatchRule {

  boolean matches(String lowerCaseName);

  record Equals(String value) implements MatchRule {
    public boolean matches(String name) {
      return name.equals(value);
    }
  }

  record StartsWith(String prefix) implements MatchRule {
    public boolean matches(String name) {
      return name.startsWith(prefix);
    }
  }

  record EndsWith(String suffix) implements MatchRule {
    public boolean matches(String name) {
      return name.endsWith(suffix);
    }
  }

  record Contains(String part) implements MatchRule {
    public boolean matches(String name) {
      return name.contains(part);
    }
  }

  record Regex(Pattern pattern) implements MatchRule {
    public boolean matches(String name) {
      return pattern.matcher(name).find();
    }
  }

  record AnyOf(List<MatchRule> rules) implements MatchRule {
    public boolean matches(String name) {
      for (MatchRule rule : rules) {
        if (rule.matches(name)) {
          return true;
        }
      }
      return false;
    }
  }

  record AllOf(List<MatchRule> rules) implements MatchRule {
    public boolean matches(String name) {
      for (MatchRule rule : rules) {
        if (!rule.matches(name)) {
          return false;
        }
      }
      return true;
    }
  }

  /** The JSON form: exactly one operator per object; an operator this code does not know fails the load. */
  record Spec(List<MatchRule> or, List<MatchRule> and, String equals, @JsonProperty("starts_with") String startsWith,
      @JsonProperty("ends_with") String endsWith, String contains, String regex) {}

  @JsonCreator
  static MatchRule of(Spec spec) {
    List<MatchRule> rules = new ArrayList<>(1);
    if (spec.or() != null) {
      rules.add(new AnyOf(List.copyOf(spec.or())));
    }
    if (spec.and() != null) {
      rules.add(new AllOf(List.copyOf(spec.and())));
    }
    if (spec.equals() != null) {
      rules.add(new Equals(lower(spec.equals())));
    }
    if (spec.startsWith() != null) {
      rules.add(new StartsWith(lower(spec.startsWith())));
    }
    if (spec.endsWith() != null) {
      rules.add(new EndsWith(lower(spec.endsWith())));
    }
    if (spec.contains() != null) {
      rules.add(new Contains(lower(spec.contains())));
    }
    if (spec.regex() != null) {
      try {
        rules.add(new Regex(Pattern.compile(spec.regex())));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("regex " + spec.regex() + " does not compile: " + e.getDescription(), e);
      }
    }
    if (rules.size() != 1) {
      throw new IllegalArgumentException("a match rule needs exactly one of or, and, equals, starts_with, ends_with, contains, regex; got "
          + spec);
    }
    return rules.get(0);
  }

  private static String lower(String value) {
    return value.toLowerCase(Locale.ROOT);
  }
}
