package io.llmtrace.bench;

import io.llmtrace.gateway.auth.ApiKeys;
import io.llmtrace.stack.Await;
import io.llmtrace.stack.LocalStack;
import io.llmtrace.stack.StackConfig;
import io.llmtrace.stack.StackEndpoints;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * The gateway against Zipkin's collector, in one run on one machine: both servers started fresh with
 * the same heap, both warmed up, then driven alternately by the same wrk settings with equivalent
 * bodies (10 LLM spans of ~1.2 KB per POST). The gateway writes every span durably to a real local
 * Kafka broker (acks=all) before answering; Zipkin stores in memory. Writes the table to
 * docs/BENCHMARKS.md (section "Ingest gateway vs Zipkin").
 *
 * <p>Options: {@code --seconds 20 --warmup 30 --rounds 3 --connections 32 --threads 2 --out docs/BENCHMARKS.md}.
 */
public final class GatewayVsZipkin {

  private static final String KEY = "bench-key";
  private static final String HEAP = "-Xmx1g";

  private GatewayVsZipkin() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = options(args);
    int seconds = Integer.parseInt(options.getOrDefault("seconds", "20"));
    int warmup = Integer.parseInt(options.getOrDefault("warmup", "30"));
    int rounds = Integer.parseInt(options.getOrDefault("rounds", "3"));
    int connections = Integer.parseInt(options.getOrDefault("connections", "32"));
    int threads = Integer.parseInt(options.getOrDefault("threads", "2"));
    Path out = Path.of(options.getOrDefault("out", "docs/BENCHMARKS.md"));
    Path work = WorkDirs.fresh(Path.of("target", "bench"));

    List<Process> children = new ArrayList<>();
    LocalStack stack = LocalStack.start(StackConfig.forTests(work.resolve("stack")));
    try {
      StackEndpoints endpoints = stack.endpoints();
      String topic = "bench.spans.raw";
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", endpoints.kafkaBootstrap()))) {
        admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
      }
      Path keys = work.resolve("bench-keys.yaml");
      Files.writeString(keys, "keys:\n  - id: bench\n    sha256: " + ApiKeys.sha256(KEY) + "\n    tenant: bench\n");

      int gatewayPort = freePort();
      List<String> profile = new ArrayList<>(System.getProperty("bench.jfr") == null ? List.of()
          : List.of("-XX:StartFlightRecording=filename=" + work.toAbsolutePath().resolve("gateway.jfr") + ",settings=profile"));
      // Extra gateway settings for experiments, e.g. --gateway-opts "-Dllmtrace.kafka.producer.compression.type=zstd".
      if (options.containsKey("gateway-opts")) {
        profile.addAll(List.of(options.get("gateway-opts").trim().split("\\s+")));
      }
      children.add(start(work, "gateway", concat(List.of(java(), HEAP), profile, List.of("-cp", System.getProperty("java.class.path"),
          "-Dllmtrace.gateway.host=127.0.0.1", "-Dllmtrace.gateway.port=" + gatewayPort,
          "-Dllmtrace.gateway.api-keys-file=" + keys.toAbsolutePath(), "-Dllmtrace.gateway.spans-per-second=0",
          "-Dllmtrace.kafka.bootstrap=" + endpoints.kafkaBootstrap(), "-Dllmtrace.schema.registry.url=" + endpoints.schemaRegistryUrl(),
          "-Dllmtrace.topics.raw=" + topic, "io.llmtrace.gateway.Gateway")), Map.of()));
      int zipkinPort = freePort();
      Path zipkinJar = Path.of(Files.readString(Path.of("deploy/benchmarks/target/zipkin.path")).strip());
      children.add(start(work, "zipkin", List.of(java(), HEAP, "-jar", zipkinJar.toString()),
          // Zipkin's in-memory store keeps 500,000 spans by default, more than a 1 GB heap holds at ~1.2 KB each.
          Map.of("QUERY_PORT", Integer.toString(zipkinPort), "STORAGE_TYPE", "mem", "MEM_MAX_SPANS", "100000")));
      awaitHttp("http://127.0.0.1:" + gatewayPort + "/readyz");
      awaitHttp("http://127.0.0.1:" + zipkinPort + "/health");

      Instant at = Instant.now();
      String gatewayUrl = "http://127.0.0.1:" + gatewayPort + "/v1/spans";
      String zipkinUrl = "http://127.0.0.1:" + zipkinPort + "/api/v2/spans";
      String nativeBody = Payloads.nativeBody(at);
      String zipkinBody = Payloads.zipkinBody(at);
      Path gatewayScript = Wrk.script(work, "gateway", gatewayUrl, nativeBody,
          List.of("Content-Type", "application/json", "Authorization", "Bearer " + KEY));
      Path zipkinScript = Wrk.script(work, "zipkin", zipkinUrl, zipkinBody, List.of("Content-Type", "application/json"));

      System.out.printf("warming up both (%d s each, twice)%n", warmup);
      for (int i = 0; i < 2; i++) {
        Wrk.run("gateway", gatewayUrl, gatewayScript, threads, connections, warmup);
        Wrk.run("zipkin", zipkinUrl, zipkinScript, threads, connections, warmup);
      }
      List<Wrk.Result> gateway = new ArrayList<>();
      List<Wrk.Result> zipkin = new ArrayList<>();
      // The stack's services are the harness's other child processes; wrk and everything else is "other".
      Map<String, Long> pids = new java.util.LinkedHashMap<>(Map.of("gateway", children.get(0).pid(), "zipkin", children.get(1).pid()));
      ProcessHandle.current().children().filter(child -> !pids.containsValue(child.pid()))
          .forEach(child -> pids.put(serviceName(child), child.pid()));
      CpuMeter cpu = new CpuMeter(pids);
      Map<String, List<Map<String, Double>>> cores = Map.of("gateway", new ArrayList<>(), "zipkin", new ArrayList<>());
      for (int round = 0; round < rounds; round++) {
        // Alternate who goes first, so neither always runs on the warmer or cooler machine.
        boolean gatewayFirst = round % 2 == 0;
        for (String target : gatewayFirst ? List.of("gateway", "zipkin") : List.of("zipkin", "gateway")) {
          cpu.start();
          Wrk.Result result = target.equals("gateway")
              ? Wrk.run(target, gatewayUrl, gatewayScript, threads, connections, seconds)
              : Wrk.run(target, zipkinUrl, zipkinScript, threads, connections, seconds);
          Map<String, Double> used = cpu.stop();
          cores.get(target).add(used);
          (target.equals("gateway") ? gateway : zipkin).add(result);
          System.out.printf("round %d %-7s %,10.0f spans/s  p50 %6.2f ms  p99 %7.2f ms  non-2xx %d  socket errors %d  cores %s%n", round + 1,
              target, result.spansPerSecond(), result.p50Millis(), result.p99Millis(), result.non2xx(), result.socketErrors(), coresText(used));
        }
      }
      long stored = recordsOn(endpoints.kafkaBootstrap(), topic);
      long acknowledged = gateway.stream().mapToLong(r -> r.requests() - r.non2xx()).sum() * Payloads.SPANS;
      writeReport(out, gateway, zipkin, cores, stored, acknowledged, nativeBody.length() / Payloads.SPANS, zipkinBody.length() / Payloads.SPANS,
          seconds, warmup, rounds, connections, threads);
      System.out.println("wrote " + out);
    } finally {
      children.forEach(Process::destroy);
      for (Process child : children) {
        if (!child.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
          child.destroyForcibly().waitFor();
        }
      }
      stack.close();
    }
  }

  private static void writeReport(Path out, List<Wrk.Result> gateway, List<Wrk.Result> zipkin,
      Map<String, List<Map<String, Double>>> cores, long stored, long acknowledged,
      int nativeSpanBytes, int zipkinSpanBytes, int seconds, int warmup, int rounds, int connections, int threads) throws IOException {
    Wrk.Result g = median(gateway);
    Wrk.Result z = median(zipkin);
    String rows = "| per round (spans/s) | " + perRound(gateway) + " | " + perRound(zipkin) + " |\n"
        + "| CPU cores used (median round) | " + coresText(cores.get("gateway").get(gateway.indexOf(g)))
        + " | " + coresText(cores.get("zipkin").get(zipkin.indexOf(z))) + " |";
    String section = """
        ## Ingest gateway vs Zipkin

        Measured %s on this project's build machine kind (2 cores, 24 GiB; broker, registry, both servers and
        wrk share the 2 cores). Reproduce: `deploy/bench.sh gateway` (needs `wrk`; the script installs it with
        apt-get if missing).

        Each POST carries one trace of 10 LLM spans: llmtrace native JSON (~%d bytes per span) to the gateway,
        the same content as Zipkin v2 JSON tags (~%d bytes per span) to Zipkin %s (exec jar, in-memory storage).
        Both JVMs `%s`, both warmed up (2 × %d s each), then %d alternating rounds of `wrk -t%d -c%d -d%ds`;
        the median round is reported. The gateway answers 2xx only after Kafka acknowledged every span
        (acks=all, idempotent producer); Zipkin keeps spans in memory only. CPU cores used: from /proc, per
        process, during the round (the broker is a separate process of the local stack, run as a server JVM:
        `-Dllmtrace.stack.jvm=server`, both JIT tiers, as in production).

        | | gateway (durable to Kafka) | Zipkin (in memory) |
        |---|---|---|
        | spans/s (median round) | %,.0f | %,.0f |
        | requests/s | %,.0f | %,.0f |
        | p50 latency | %.2f ms | %.2f ms |
        | p99 latency | %.2f ms | %.2f ms |
        %s

        **Ratio gateway / Zipkin: %.2f×** (goal ≥ 1.0×).

        Durability check of the same run: %,d spans acknowledged with 2xx by the gateway, %,d records on the
        topic (non-2xx answers during the measured rounds: %d; warm-up traffic is on the topic too).
        """.formatted(LocalDate.now(), nativeSpanBytes, zipkinSpanBytes, "3.6.1", HEAP, warmup, rounds, threads, connections, seconds,
        g.spansPerSecond(), z.spansPerSecond(), g.requestsPerSecond(), z.requestsPerSecond(), g.p50Millis(), z.p50Millis(),
        g.p99Millis(), z.p99Millis(), rows, g.spansPerSecond() / z.spansPerSecond(), acknowledged, stored,
        gateway.stream().mapToLong(Wrk.Result::non2xx).sum());
    BenchmarkReport.replaceSection(out, "## Ingest gateway vs Zipkin", section);
  }

  private static String serviceName(ProcessHandle process) {
    String command = process.info().commandLine().orElse("").toLowerCase(java.util.Locale.ROOT);
    return command.contains("kafka") ? "broker" : command.contains("registry") || command.contains("apicurio") ? "registry"
        : command.contains("chdb") || command.contains("clickhouse") ? "clickhouse" : "pid " + process.pid();
  }

  private static String coresText(Map<String, Double> used) {
    // Services idle during the other server's round are left out; "other" is wrk and the rest of the machine.
    return used.entrySet().stream().filter(e -> e.getValue() >= 0.05)
        .map(e -> String.format("%s %.2f", e.getKey().equals("other") ? "wrk+other" : e.getKey(), e.getValue()))
        .collect(Collectors.joining(", "));
  }

  private static String perRound(List<Wrk.Result> results) {
    return results.stream().map(r -> String.format("%,.0f", r.spansPerSecond())).collect(Collectors.joining(" / "));
  }

  private static Wrk.Result median(List<Wrk.Result> results) {
    List<Wrk.Result> sorted = results.stream().sorted(Comparator.comparingDouble(Wrk.Result::requestsPerSecond)).toList();
    return sorted.get(sorted.size() / 2);
  }

  private static long recordsOn(String bootstrap, String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < 3; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      return admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
    }
  }

  private static Process start(Path work, String name, List<String> command, Map<String, String> env) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(work.resolve(name + ".log").toFile());
    builder.environment().putAll(env);
    return builder.start();
  }

  private static void awaitHttp(String url) {
    HttpClient http = HttpClient.newHttpClient();
    Await.until(Duration.ofSeconds(120), url + " to answer 200", () -> {
      try {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    });
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  @SafeVarargs
  private static List<String> concat(List<String>... parts) {
    List<String> all = new ArrayList<>();
    for (List<String> part : parts) {
      all.addAll(part);
    }
    return all;
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    return options;
  }
}
