package io.llmtrace.bench;

import io.llmtrace.processors.assemble.AssemblyApp;
import io.llmtrace.processors.assemble.AssemblyConfig;
import io.llmtrace.processors.assemble.TraceAggregator;
import io.llmtrace.processors.assemble.TraceAssemblyTopology;
import io.llmtrace.processors.assemble.TraceStateSerde;
import io.llmtrace.processors.assemble.state.TraceState;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.serde.AvroSerdes;
import io.llmtrace.stack.LocalStack;
import io.llmtrace.stack.StackConfig;
import io.llmtrace.stack.StackEndpoints;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Trace assembly against a pass-through Kafka Streams application over the same input, in one run on
 * one machine: a topic pre-filled with redacted spans ({@link TraceTraffic}), then each side in its own
 * child JVM with a fresh application id and state directory, reading the topic from the start, timed
 * from launch until the group's committed offsets reach the topic's end offsets. The sides alternate
 * who goes first. Writes docs/BENCHMARKS.md (section "Trace assembly vs pass-through").
 *
 * <p>Options: {@code --spans 2000000 --rounds 2 --gap 2s --rate 20000 --threads 1 --heap 1g
 * --out docs/BENCHMARKS.md}; {@code --sides assembly} runs one side only (for profiling; no report), and
 * {@code -Dbench.jfr=1} records a JFR profile of every child into the work directory.
 */
public final class AssemblyVsPassThrough {

  static final String INPUT = "bench.spans.redacted";
  static final int PARTITIONS = 3;
  static final String HEADING = "## Trace assembly vs pass-through";
  private static final Duration RUN_LIMIT = Duration.ofMinutes(30);

  enum Side {
    PASS_THROUGH("pass-through", PassThroughApp.APP, PassThroughApp.class.getName()),
    ASSEMBLY("assembly", AssemblyConfig.APP, AssemblyApp.class.getName());

    final String label;
    final String key;
    final String mainClass;

    Side(String label, String key, String mainClass) {
      this.label = label;
      this.key = key;
      this.mainClass = mainClass;
    }
  }

  record Options(long spans, int rounds, String gap, double rate, int threads, String heap, Path out, String sides) {}

  record Input(long spans, long traces, long recordBytes, double seconds, long brokerBytes) {}

  /** What one side's run measured; {@code assembly} only for the assembly side. */
  record Run(Side side, int round, long spans, double seconds, double toFirstCommit, double steadySpansPerSecond,
      Map<String, Double> cores, long peakRssKb, long rssKb, long stateDirBytes, long changelogRecords, long changelogBytes, long outputBytes,
      Set<String> contention, Checks assembly) {
    double spansPerSecond() {
      return spans / seconds;
    }
  }

  /** The assembly side's own counters, from its /metrics. */
  record Checks(double spans, double emitted, double revised, double duplicates, double deadLetters, double openAtConsumed,
      double secondsToLastSummary) {}

  /** Serialized TraceState sizes from {@link TraceStateSerde#write}. */
  record StateSizes(Map<Integer, double[]> completeBySpans, double completeMean, double perPutMean) {}

  private AssemblyVsPassThrough() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = GatewayVsZipkin.options(args);
    Options options = new Options(Long.parseLong(o.getOrDefault("spans", "2000000")), Integer.parseInt(o.getOrDefault("rounds", "2")),
        o.getOrDefault("gap", "2s"), Double.parseDouble(o.getOrDefault("rate", "20000")), Integer.parseInt(o.getOrDefault("threads", "1")),
        o.getOrDefault("heap", "1g"), Path.of(o.getOrDefault("out", "docs/BENCHMARKS.md")),
        o.getOrDefault("sides", Side.PASS_THROUGH.key + "," + Side.ASSEMBLY.key));
    Path work = WorkDirs.fresh(Path.of("target", "bench-assembly")).toAbsolutePath();
    LocalStack stack = LocalStack.start(StackConfig.forTests(work.resolve("stack")));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.endpoints().kafkaBootstrap()))) {
      StackEndpoints endpoints = stack.endpoints();
      admin.createTopics(List.of(new NewTopic(INPUT, PARTITIONS, (short) 1))).all().get();
      System.out.printf(Locale.ROOT, "producing %,d spans to %s%n", options.spans(), INPUT);
      Input input = produce(endpoints, admin, options);
      System.out.printf(Locale.ROOT, "  %,d spans in %,d traces, %,d bytes per record, %.1f s (%,.0f spans/s), %,d bytes on the broker%n",
          input.spans(), input.traces(), input.recordBytes() / input.spans(), input.seconds(), input.spans() / input.seconds(),
          input.brokerBytes());
      List<Run> runs = new ArrayList<>();
      for (int round = 1; round <= options.rounds(); round++) {
        // Alternate who goes first, so neither always runs on the warmer (or more fragmented) broker.
        List<Side> order = round % 2 == 1 ? List.of(Side.PASS_THROUGH, Side.ASSEMBLY) : List.of(Side.ASSEMBLY, Side.PASS_THROUGH);
        for (Side side : order) {
          if (!options.sides().contains(side.key)) {
            continue;
          }
          Run run = run(side, round, options, input, endpoints, admin, stack, work);
          runs.add(run);
          System.out.printf(Locale.ROOT,
              "round %d %-12s %,8.0f spans/s (steady %,8.0f), first commit after %.1f s, %.1f s in all, cores %s, RSS peak %,d MB%s%n",
              round, side.label, run.spansPerSecond(), run.steadySpansPerSecond(), run.toFirstCommit(), run.seconds(), cores(run.cores()),
              run.peakRssKb() >> 10, run.contention().isEmpty() ? "" : ", contention: " + run.contention());
          if (run.assembly() != null) {
            Checks c = run.assembly();
            System.out.printf(Locale.ROOT, "  assembly: %,.0f spans, %,.0f traces emitted (+%,.0f revised), %,.0f open when consumed, last summary"
                + " %.1f s after, state dir %,d bytes, changelog %,d records (%,d bytes after compaction)%n", c.spans(), c.emitted(),
                c.revised(), c.openAtConsumed(), c.secondsToLastSummary(), run.stateDirBytes(), run.changelogRecords(), run.changelogBytes());
          }
        }
      }
      if (runs.stream().map(Run::side).distinct().count() < Side.values().length) {
        System.out.println("one side only (--sides): no report written");
        return;
      }
      StateSizes sizes = stateSizes(options);
      BenchmarkReport.replaceSection(options.out(), HEADING, AssemblyReport.section(options, input, runs, sizes));
      System.out.println("wrote " + options.out());
    } finally {
      stack.close();
    }
  }

  /** Fills the input topic; one serializer, lz4, large batches, futures not kept. */
  private static Input produce(StackEndpoints endpoints, Admin admin, Options options) throws Exception {
    Serializer<LlmSpan> avro = AvroSerdes.specific(LlmSpan.class, Map.of("schema.registry.url", endpoints.schemaRegistryUrl()), false)
        .serializer();
    long[] bytes = {0};
    Serializer<LlmSpan> counting = (topic, span) -> {
      byte[] encoded = avro.serialize(topic, span);
      bytes[0] += encoded.length;
      return encoded;
    };
    Map<String, Object> props = new HashMap<>(Map.of("bootstrap.servers", endpoints.kafkaBootstrap(), "acks", "all",
        "linger.ms", 20, "batch.size", 512 * 1024, "compression.type", "lz4", "buffer.memory", 128L << 20));
    AtomicReference<Exception> failed = new AtomicReference<>();
    long started = System.nanoTime();
    TraceTraffic.Counts counts;
    try (KafkaProducer<String, LlmSpan> producer = new KafkaProducer<>(props, new StringSerializer(), counting)) {
      counts = traffic(options).generate(options.spans(), (span, timestamp, spansInTrace, last) ->
          producer.send(new ProducerRecord<>(INPUT, null, timestamp, span.getTraceId(), span), (metadata, e) -> {
            if (e != null) {
              failed.compareAndSet(null, e);
            }
          }));
      producer.flush();
    }
    if (failed.get() != null) {
      throw new IllegalStateException("producing the input failed", failed.get());
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    long onBroker = topicBytes(admin, Set.of(INPUT));
    return new Input(counts.spans(), counts.traces(), bytes[0], seconds, onBroker);
  }

  /** The input's generator: fixed seed, record time ending now. */
  static TraceTraffic traffic(Options options) {
    long streamMillis = (long) (options.spans() / options.rate() * 1000);
    return new TraceTraffic(20261201L, System.currentTimeMillis() - streamMillis, options.rate());
  }

  private static Run run(Side side, int round, Options options, Input input, StackEndpoints endpoints, Admin admin, LocalStack stack,
      Path work) throws Exception {
    String appId = "bench-" + side.key + "-r" + round;
    String output = side == Side.ASSEMBLY ? "bench.traces.r" + round : "bench.passthrough.r" + round;
    String deadLetters = "bench.dlq.r" + round;
    List<NewTopic> topics = new ArrayList<>(List.of(new NewTopic(output, PARTITIONS, (short) 1)));
    if (side == Side.ASSEMBLY) {
      topics.add(new NewTopic(deadLetters, PARTITIONS, (short) 1));
    }
    admin.createTopics(topics).all().get();
    Path stateDir = work.resolve("state").resolve(appId);
    int adminPort = freePort();
    List<String> command = new ArrayList<>(List.of(java(), "-Xmx" + options.heap()));
    if (System.getProperty("bench.jfr") != null) {
      command.add("-XX:StartFlightRecording=filename=" + work.resolve(appId + ".jfr") + ",settings=profile");
    }
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("llmtrace.kafka.bootstrap", endpoints.kafkaBootstrap());
    settings.put("llmtrace.schema.registry.url", endpoints.schemaRegistryUrl());
    settings.put("llmtrace.topics.redacted", INPUT);
    settings.put("llmtrace.topics.traces", output);
    settings.put("llmtrace.topics.dead-letters", deadLetters);
    settings.put("llmtrace.passthrough.output", output);
    settings.put("llmtrace.assembly.inactivity-gap", options.gap());
    settings.put("llmtrace." + side.key + ".application-id", appId);
    settings.put("llmtrace." + side.key + ".admin.host", "127.0.0.1");
    settings.put("llmtrace." + side.key + ".admin.port", Integer.toString(adminPort));
    settings.put("llmtrace.streams.state.dir", stateDir.toString());
    settings.put("llmtrace.streams.num.stream.threads", Integer.toString(options.threads()));
    settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), side.mainClass));

    Map<TopicPartition, Long> end = endOffsets(admin);
    long total = end.values().stream().mapToLong(Long::longValue).sum();
    Path log = work.resolve(appId + ".log");
    Map<String, Long> pids = new LinkedHashMap<>();
    Set<String> contention = new TreeSet<>();
    long launched = System.nanoTime();
    Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      pids.put(side.label, child.pid());
      ProcessHandle.current().children().filter(p -> p.pid() != child.pid()).forEach(p -> pids.put(service(p), p.pid()));
      CpuMeter cpu = new CpuMeter(pids);
      cpu.start();
      long firstCommit = 0;
      long committedAtFirst = 0;
      long lastContentionCheck = 0;
      long deadline = launched + RUN_LIMIT.toNanos();
      while (true) {
        long committed = committed(admin, appId, end.keySet());
        long now = System.nanoTime();
        if (firstCommit == 0 && committed > 0) {
          firstCommit = now;
          committedAtFirst = committed;
        }
        if (committed >= total) {
          break;
        }
        if (!child.isAlive()) {
          throw new IllegalStateException(side.label + " exited with status " + child.exitValue() + " at " + committed + " of " + total
              + " records; see " + log);
        }
        if (now > deadline) {
          throw new IllegalStateException(side.label + " consumed " + committed + " of " + total + " records in " + RUN_LIMIT);
        }
        if (now - lastContentionCheck > 2_000_000_000L) {
          contention.addAll(contention());
          lastContentionCheck = now;
        }
        LockSupport.parkNanos(100_000_000);
      }
      long consumed = System.nanoTime();
      if (committedAtFirst >= total) { // all of it in the first commit seen: no steady interval
        firstCommit = launched;
        committedAtFirst = 0;
      }
      Map<String, Double> cores = cpu.stop();
      contention.addAll(contention());
      long[] rss = rss(child.pid());
      Checks checks = side == Side.ASSEMBLY ? awaitSummaries(adminPort, input.traces(), consumed) : null;
      stop(child);
      String changelog = appId + "-" + TraceAssemblyTopology.STORE + "-changelog";
      return new Run(side, round, total, (consumed - launched) / 1e9, (firstCommit - launched) / 1e9,
          (total - committedAtFirst) / ((consumed - firstCommit) / 1e9), cores, rss[0], rss[1], directoryBytes(stateDir),
          side == Side.ASSEMBLY ? records(admin, changelog) : 0, topicBytes(admin, Set.of(changelog)), topicBytes(admin, Set.of(output)),
          contention, checks);
    } finally {
      if (child.isAlive()) {
        child.destroyForcibly().waitFor();
      }
    }
  }

  /** Waits (up to a minute) for every trace's first summary; the counters as they were at consumption first. */
  private static Checks awaitSummaries(int adminPort, long traces, long consumed) throws Exception {
    String atConsumed = scrape(adminPort);
    double open = metric(atConsumed, "llmtrace_assembly_open_traces", "");
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    String now = atConsumed;
    while (metric(now, "llmtrace_assembly_traces_emitted_total", "version=\"first\"") < traces && System.nanoTime() < deadline) {
      LockSupport.parkNanos(100_000_000);
      now = scrape(adminPort);
    }
    double last = (System.nanoTime() - consumed) / 1e9;
    return new Checks(metric(now, "llmtrace_assembly_spans_total", ""), metric(now, "llmtrace_assembly_traces_emitted_total", "version=\"first\""),
        metric(now, "llmtrace_assembly_traces_emitted_total", "version=\"revised\""), metric(now, "llmtrace_assembly_duplicate_spans_total", ""),
        metric(now, "llmtrace_assembly_dead_letters_total", ""), open, last);
  }

  /**
   * TraceState sizes as the store writes them, for the same traffic: every trace aggregated with the
   * production limits, its state written after each span (what a put costs) and once complete.
   */
  static StateSizes stateSizes(Options options) {
    TraceAggregator aggregator = new TraceAggregator(new TraceAggregator.Limits(AssemblyConfig.DEFAULT_MAX_SPANS,
        AssemblyConfig.DEFAULT_MAX_DISTINCT_VALUES));
    Map<String, TraceState> open = new HashMap<>();
    Map<Integer, double[]> complete = new java.util.TreeMap<>();
    double[] puts = {0, 0};
    traffic(options).generate(Math.min(options.spans(), 300_000), (span, timestamp, spansInTrace, last) -> {
      TraceState state = open.computeIfAbsent(span.getTraceId(), id -> {
        TraceState fresh = TraceAggregator.empty(id);
        fresh.setFirstArrivalStreamMs(timestamp);
        fresh.setFirstArrivalWallMs(System.currentTimeMillis());
        return fresh;
      });
      aggregator.add(state, span);
      state.setDirty(true);
      state.setLastArrivalStreamMs(timestamp);
      state.setLastArrivalWallMs(System.currentTimeMillis());
      state.setLastRecordTimestampMs(timestamp);
      int bytes = TraceStateSerde.write(state).length;
      puts[0] += bytes;
      puts[1]++;
      if (last) {
        double[] bucket = complete.computeIfAbsent(spansInTrace, n -> new double[2]);
        bucket[0] += bytes;
        bucket[1]++;
        open.remove(span.getTraceId());
      }
    });
    double sum = complete.values().stream().mapToDouble(b -> b[0]).sum();
    double count = complete.values().stream().mapToDouble(b -> b[1]).sum();
    return new StateSizes(complete, sum / count, puts[0] / puts[1]);
  }

  /**
   * Records ever written to a topic: its end offsets, which compaction does not lower (under
   * exactly_once_v2 they include one transaction marker per partition and commit, a few per second).
   */
  private static long records(Admin admin, String topic) throws Exception {
    return endOffsets(admin, topic).values().stream().mapToLong(Long::longValue).sum();
  }

  private static Map<TopicPartition, Long> endOffsets(Admin admin) throws Exception {
    return endOffsets(admin, INPUT);
  }

  private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> end = new HashMap<>();
    admin.listOffsets(latest).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
    return end;
  }

  private static long committed(Admin admin, String group, Set<TopicPartition> partitions) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    return partitions.stream().map(offsets::get).filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
  }

  /** Bytes the broker holds for these topics (all partitions, on its log dirs). */
  private static long topicBytes(Admin admin, Set<String> topics) throws Exception {
    List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(Node::id).toList();
    long bytes = 0;
    for (var dirs : admin.describeLogDirs(brokers).allDescriptions().get().values()) {
      for (var dir : dirs.values()) {
        for (var replica : dir.replicaInfos().entrySet()) {
          if (topics.contains(replica.getKey().topic())) {
            bytes += replica.getValue().size();
          }
        }
      }
    }
    return bytes;
  }

  /** VmHWM (peak) and VmRSS of a process, in kB, from /proc; zeros where there is no /proc. */
  static long[] rss(long pid) {
    long[] kb = {0, 0};
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmHWM:")) {
          kb[0] = Long.parseLong(line.replaceAll("\\D", ""));
        } else if (line.startsWith("VmRSS:")) {
          kb[1] = Long.parseLong(line.replaceAll("\\D", ""));
        }
      }
    } catch (IOException e) {
      // not Linux: reported as 0
    }
    return kb;
  }

  /** Maven builds and test JVMs of others on the machine, which take CPU from the measured run. */
  private static Set<String> contention() {
    Set<String> seen = new TreeSet<>();
    ProcessHandle.allProcesses().forEach(p -> {
      String command = p.info().commandLine().orElse("");
      if (command.contains("surefire")) {
        seen.add("surefire");
      } else if (command.contains("failsafe")) {
        seen.add("failsafe");
      } else if (command.contains("plexus-classworlds")) {
        seen.add("maven");
      }
    });
    return seen;
  }

  private static long directoryBytes(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (var walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).mapToLong(path -> path.toFile().length()).sum();
    }
  }

  private static void stop(Process child) throws InterruptedException {
    child.destroy();
    if (!child.waitFor(60, TimeUnit.SECONDS)) {
      child.destroyForcibly().waitFor();
    }
  }

  private static String scrape(int port) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString());
    return response.body();
  }

  /** The sum of a Prometheus series' samples whose labels contain {@code labels} (empty: all). */
  static double metric(String text, String name, String labels) {
    double sum = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        int space = line.lastIndexOf(' ');
        if (line.substring(0, space).contains(labels)) {
          sum += Double.parseDouble(line.substring(space + 1));
        }
      }
    }
    return sum;
  }

  private static String service(ProcessHandle process) {
    String command = process.info().commandLine().orElse("").toLowerCase(Locale.ROOT);
    return command.contains("kafka") ? "broker" : command.contains("registry") || command.contains("apicurio") ? "registry"
        : command.contains("chdb") || command.contains("clickhouse") ? "clickhouse" : "pid " + process.pid();
  }

  static String cores(Map<String, Double> used) {
    return used.entrySet().stream().filter(e -> e.getValue() >= 0.05)
        .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue())).collect(Collectors.joining(", "));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
