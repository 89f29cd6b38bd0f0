package io.llmtrace.stack;

import com.sun.jna.Native;
import io.llmtrace.stack.chdb.ClickHouseServerMain;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The embedded ClickHouse endpoint: a child JVM serving the ClickHouse HTTP interface over libchdb
 * (see {@link io.llmtrace.stack.chdb.ClickHouseHttpServer}), with its data under {@code clickhouse-data}
 * so that it survives a restart. JDBC URL: {@code jdbc:clickhouse://127.0.0.1:<port>/default?compress=0}.
 */
public final class ClickHouseServer extends LocalService {

  private final int port;
  private Path library;

  public ClickHouseServer(Path workDir, int port) {
    super("clickhouse", workDir, Duration.ofSeconds(60));
    this.port = port;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** JDBC URL for clickhouse-jdbc; {@code compress=0} because the endpoint speaks no native LZ4 framing. */
  public String jdbcUrl(String database) {
    return "jdbc:clickhouse://127.0.0.1:" + port + "/" + database + "?compress=0";
  }

  @Override
  protected void prepare() {
    library = ChdbDistribution.library();
  }

  @Override
  protected List<String> command() {
    List<Class<?>> classes = new ArrayList<>(List.of(ClickHouseServerMain.class, Native.class, LoggerFactory.class));
    try {
      classes.add(Class.forName("org.slf4j.simple.SimpleServiceProvider"));
    } catch (ClassNotFoundException e) {
      // Without slf4j-simple the endpoint logs nothing; it still serves.
    }
    return childJvm(name(), "512m",
        List.of("-Dorg.slf4j.simpleLogger.showDateTime=true", "-Djna.nosys=true"),
        StackFiles.classpathOf(classes.toArray(Class<?>[]::new)), ClickHouseServerMain.class.getName(),
        List.of("--lib", library.toString(), "--data", workDir.resolve("clickhouse-data").toString(), "--port", Integer.toString(port)));
  }

  @Override
  public Health health() {
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(url() + "/ping")).timeout(Duration.ofSeconds(2)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 && response.body().startsWith("Ok.")
          ? Health.up(name(), url() + " (ClickHouse HTTP interface, libchdb " + ChdbDistribution.VERSION + ")")
          : Health.down(name(), url() + " answered HTTP " + response.statusCode());
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return Health.down(name(), url() + ": " + e.getClass().getSimpleName());
    }
  }
}
