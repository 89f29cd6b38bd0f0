package io.llmtrace.stack;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Apicurio Registry 2.6 from its Maven Central distribution, serving the Confluent-compatible Schema
 * Registry API at {@code /apis/ccompat/v7}. The archive is unpacked once into the cache directory.
 * Schemas are stored in an H2 database file under the stack's work directory (the distribution's
 * default is in memory), so a restart keeps every schema and its id, as a real registry does: the
 * records Kafka kept across the restart still name schemas the registry knows.
 */
public final class SchemaRegistryServer extends LocalService {

  public static final String APICURIO_VERSION = "2.6.13.Final";
  private static final String CCOMPAT_PATH = "/apis/ccompat/v7";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final int port;
  private Path distribution;

  public SchemaRegistryServer(Path workDir, int port) {
    super("registry", workDir, Duration.ofSeconds(120));
    this.port = port;
  }

  /** Base URL of the Confluent-compatible API, what {@code schema.registry.url} should be set to. */
  public String url() {
    return "http://127.0.0.1:" + port + CCOMPAT_PATH;
  }

  @Override
  protected void prepare() {
    Path archive = StackFiles.apicurioArchive();
    distribution = StackFiles.once(StackFiles.cacheDir().resolve("apicurio").resolve(APICURIO_VERSION), () -> {
      Path target = StackFiles.cacheDir().resolve("apicurio").resolve(APICURIO_VERSION);
      Files.createDirectories(target);
      StackFiles.run(target, 300, "tar", "xzf", archive.toString());
    });
  }

  @Override
  protected List<String> command() {
    String classpath = distribution.resolve("apicurio-registry-app-" + APICURIO_VERSION + "-runner.jar")
        + java.io.File.pathSeparator + StackFiles.classpathOf(ParentWatch.class);
    return childJvm(name(), "512m",
        List.of("-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
            "-Dquarkus.log.console.format=%d{HH:mm:ss} %-5p [%c{2.}] %s%e%n",
            "-Dregistry.auth.enabled=false",
            "-Dquarkus.datasource.jdbc.url=jdbc:h2:file:" + workDir.resolve("registry-data").resolve("registry_db").toAbsolutePath(),
            "-Djava.util.logging.manager=org.jboss.logmanager.LogManager"),
        classpath, "io.quarkus.runner.GeneratedMain", List.of());
  }

  @Override
  public Health health() {
    try {
      HttpResponse<String> response = HTTP.send(
          HttpRequest.newBuilder(URI.create(url() + "/subjects")).timeout(Duration.ofSeconds(2)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200
          ? Health.up(name(), url() + " (Apicurio " + APICURIO_VERSION + ", Confluent-compatible API)")
          : Health.down(name(), url() + " answered HTTP " + response.statusCode());
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return Health.down(name(), url() + ": " + e.getClass().getSimpleName());
    }
  }
}
