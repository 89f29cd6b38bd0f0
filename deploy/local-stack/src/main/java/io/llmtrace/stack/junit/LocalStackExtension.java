package io.llmtrace.stack.junit;

import io.llmtrace.stack.LocalStack;
import io.llmtrace.stack.Stack;
import io.llmtrace.stack.StackConfig;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.containers.ContainerStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives integration tests a running stack: {@code @ExtendWith(LocalStackExtension.class)} and take a
 * {@link StackEndpoints}, {@link Stack} or {@link TestNames} parameter. The stack starts on first use,
 * once per test JVM, on free ports under {@code llmtrace.stack.workdir} (wiped first), is shared by every
 * test class of that JVM and is stopped when JUnit closes its root store at the end of the run; its
 * child processes also exit on their own if this JVM dies. {@code -Dstack=containers} starts the same
 * services with Testcontainers instead (needs Docker; see {@link ContainerStack}).
 */
public final class LocalStackExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LocalStackExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == StackEndpoints.class || type == Stack.class || type == TestNames.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    if (type == TestNames.class) {
      return TestNames.of(context);
    }
    Stack stack = stack(context);
    return type == Stack.class ? stack : stack.endpoints();
  }

  /** The JVM-wide stack, started on first call. */
  public static Stack stack(ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(Stack.class, key -> startStack(), Stack.class);
  }

  private static Stack startStack() {
    if ("containers".equals(System.getProperty("stack"))) {
      return ContainerStack.start();
    }
    StackConfig config = StackConfig.forTests(Path.of("target", "stack"));
    wipe(config.workDir());
    return LocalStack.start(config);
  }

  private static void wipe(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
        if (!path.equals(dir)) {
          Files.delete(path);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not clean the stack work dir " + dir, e);
    }
  }
}
