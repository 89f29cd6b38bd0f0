package io.llmtrace.stack;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Prometheus Alertmanager (Debian's {@code prometheus-alertmanager}, found on the PATH or in /usr/bin, or at
 * {@code llmtrace.stack.alertmanager.binary}) as a child process on 127.0.0.1, without clustering, its
 * notification log and silences under {@code alertmanager-data} of its work directory. It routes every alert
 * to one webhook receiver ({@link Routing}), with resolved notifications on.
 *
 * <p>Not part of {@link LocalStack}: its receiver must be known before it starts, and the test that receives
 * the notifications brings it, so each test starts its own ({@link #start}) in a directory of its own and
 * sees only its own notifications.
 */
public final class AlertmanagerServer extends LocalService {

  public static final String PACKAGE = "prometheus-alertmanager";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final int port;
  private final Routing routing;
  private Path binary;

  /**
   * Where notifications go and how they are grouped. Grouping by {@code alertname} and {@code episode}
   * (the forwarder's label for the alert id) gives every episode its own group, so each one notifies on its
   * own: once when it fires, once when it resolves, and again only after {@code repeatInterval}.
   */
  public record Routing(URI webhook, List<String> groupBy, Duration groupWait, Duration groupInterval, Duration repeatInterval) {

    public static final List<String> DEFAULT_GROUP_BY = List.of("alertname", "episode");

    public Routing {
      Objects.requireNonNull(webhook, "webhook");
      groupBy = List.copyOf(groupBy);
      for (Duration d : List.of(groupWait, groupInterval, repeatInterval)) {
        if (d.isNegative() || d.isZero() || d.toMillis() % 1000 != 0) {
          throw new IllegalArgumentException("Alertmanager's group timings are whole seconds > 0, got " + d);
        }
      }
    }

    /** One-second group wait and interval (tests see a notification a second or two after the alert), 4 h repeat. */
    public static Routing toWebhook(URI webhook) {
      return new Routing(webhook, DEFAULT_GROUP_BY, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofHours(4));
    }

    /** The config file. YAML; every string is written as a JSON string, which YAML reads as the same string. */
    String yaml() {
      return String.join("\n",
          "route:",
          "  receiver: \"webhook\"",
          "  group_by: [" + groupBy.stream().map(Routing::quoted).collect(Collectors.joining(", ")) + "]",
          "  group_wait: " + groupWait.toSeconds() + "s",
          "  group_interval: " + groupInterval.toSeconds() + "s",
          "  repeat_interval: " + repeatInterval.toSeconds() + "s",
          "receivers:",
          "  - name: \"webhook\"",
          "    webhook_configs:",
          "      - url: " + quoted(webhook.toString()),
          "        send_resolved: true",
          "");
    }

    private static String quoted(String value) {
      StringBuilder out = new StringBuilder("\"");
      for (char c : value.toCharArray()) {
        if (c == '"' || c == '\\') {
          out.append('\\').append(c);
        } else if (c < 0x20) {
          out.append(String.format("\\u%04x", (int) c));
        } else {
          out.append(c);
        }
      }
      return out.append('"').toString();
    }
  }

  public AlertmanagerServer(Path workDir, int port, Routing routing) {
    super("alertmanager", workDir, Duration.ofSeconds(60));
    this.port = StackConfig.orFree(port);
    this.routing = Objects.requireNonNull(routing, "routing");
  }

  /** Starts one on a free port with its files under {@code workDir}; returns once {@code /-/ready} answers. */
  public static AlertmanagerServer start(Path workDir, Routing routing) {
    AlertmanagerServer server = new AlertmanagerServer(workDir, 0, routing);
    server.start();
    return server;
  }

  /** Base URL, e.g. {@code http://127.0.0.1:40123}: the API is under {@code /api/v2}, Prometheus metrics at {@code /metrics}. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public Routing routing() {
    return routing;
  }

  @Override
  protected void prepare() throws IOException {
    binary = findBinary();
    Files.createDirectories(workDir.resolve("alertmanager-data"));
    Files.writeString(configFile(), routing.yaml(), StandardCharsets.UTF_8);
  }

  private Path configFile() {
    return workDir.resolve("alertmanager.yml");
  }

  @Override
  protected List<String> command() {
    List<String> alertmanager = List.of(binary.toString(),
        "--config.file=" + configFile(),
        "--storage.path=" + workDir.resolve("alertmanager-data"),
        "--web.listen-address=127.0.0.1:" + port,
        // empty: no gossip listener, so parallel instances cannot find each other or collide on 9094
        "--cluster.listen-address=");
    return childJvm(name(), "32m", List.of(), StackFiles.classpathOf(NativeChild.class), NativeChild.class.getName(), alertmanager);
  }

  @Override
  public Health health() {
    try {
      HttpResponse<String> response = HTTP.send(
          HttpRequest.newBuilder(URI.create(url() + "/-/ready")).timeout(Duration.ofSeconds(2)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200
          ? Health.up(name(), url() + " (webhook " + routing.webhook() + ")")
          : Health.down(name(), url() + " answered HTTP " + response.statusCode());
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return Health.down(name(), url() + ": " + e.getClass().getSimpleName());
    }
  }

  /** The configured binary, else {@value #PACKAGE} on the PATH, else in /usr/bin (Debian's place for it). */
  static Path findBinary() {
    String configured = StackConfig.setting("llmtrace.stack.alertmanager.binary", "");
    if (!configured.isBlank()) {
      Path path = Path.of(configured.strip());
      if (!Files.isExecutable(path)) {
        throw new IllegalStateException("llmtrace.stack.alertmanager.binary = " + configured + " is not an executable file");
      }
      return path;
    }
    List<Path> candidates = new ArrayList<>();
    for (String dir : Optional.ofNullable(System.getenv("PATH")).orElse("").split(File.pathSeparator)) {
      if (!dir.isBlank()) {
        candidates.add(Path.of(dir, PACKAGE));
      }
    }
    candidates.add(Path.of("/usr/bin", PACKAGE));
    return candidates.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> new IllegalStateException(
        PACKAGE + " is not on the PATH nor in /usr/bin: install the Debian package " + PACKAGE
            + " (apt-get install " + PACKAGE + "), or set llmtrace.stack.alertmanager.binary"));
  }
}
