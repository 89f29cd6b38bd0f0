package io.llmtrace.bench;

import io.llmtrace.processors.assemble.AssemblyConfig;
import io.llmtrace.processors.assemble.TraceAggregator;
import io.llmtrace.processors.assemble.state.TraceState;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.TraceSummary;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A Kafka Streams stage against a pass-through Kafka Streams application over the same input, in one run
 * on one machine: a topic pre-filled with redacted spans ({@link TraceTraffic}) — and, for a stage that
 * also reads trace summaries, a second topic with one summary per trace — then each side in its own child
 * JVM with a fresh application id and state directory, reading the input from the start, timed from
 * launch until the group's committed offsets reach the input's end offsets. The sides alternate who goes
 * first. What differs per stage (its settings, its own checks, its report section) is a {@link MeasuredApp};
 * a stage may be several JVMs launched together ({@link MeasuredApp.Child}: metrics and a separate alert
 * app), one reading what the one before it wrote, and then it is done when the last of them is.
 *
 * <p>Arguments: the stage ({@code assembly}, {@code metrics} or {@code alerts}), then options: {@code --spans 2000000
 * --rounds 2 --rate <spans per second of record time> --threads 1 --heap 1g --out docs/BENCHMARKS.md}, for
 * assembly {@code --gap 2s}, for metrics and alerts {@code --groups 1000}, for alerts {@code --shape one-app}
 * (or {@code two-apps}: {@link AlertsSide.Shape}); {@code --sides assembly} (or {@code metrics}, {@code alerts})
 * runs one side only (for profiling; no report), and {@code -Dbench.jfr=1} records a JFR profile of every
 * child into the work directory.
 */
public final class StreamsVsPassThrough {

  static final String INPUT = "bench.spans.redacted";
  /** The trace summaries a stage reads beside the spans (filled only for one that does). */
  static final String TRACES = "bench.traces.input";
  static final int PARTITIONS = 3;
  static final String PASS_THROUGH_KEY = PassThroughApp.APP;
  private static final Duration RUN_LIMIT = Duration.ofMinutes(30);

  enum Side { PASS_THROUGH, MEASURED }

  record Options(String app, long spans, int rounds, String gap, double rate, int threads, String heap, Path out, String sides,
      int groups) {}

  /** The input as produced; {@code summaries} 0 unless the stage reads trace summaries too. */
  record Input(long spans, long traces, long recordBytes, double seconds, long brokerBytes, long summaries, long summaryBytes,
      long startMs) {
    long records() {
      return spans + summaries;
    }
  }

  /** What one side's run measured; {@code checks} (the stage's own) only for the measured side. */
  record Run<C>(Side side, String label, int round, long spans, long records, double seconds, double toFirstCommit,
      double steadyRecordsPerSecond, Map<String, Double> cores, long peakRssKb, long rssKb, long stateDirBytes,
      Map<String, Long> storeBytes, Map<String, Long> changelogRecordsByStore, long changelogBytes, long outputBytes,
      Set<String> contention, C checks, List<ChildRun> jvms) {
    double spansPerSecond() {
      return spans / seconds;
    }

    /** Records of every input topic per second from the first commit on, as spans (their share of the records). */
    double steadySpansPerSecond() {
      return steadyRecordsPerSecond * spans / records;
    }

    long changelogRecords() {
      return changelogRecordsByStore.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * One child JVM's share of a run (RSS, state dir and stores are summed over a side's JVMs in {@link Run}):
   * launch → its inputs committed, RSS peak and at the end (kB), its state directory.
   */
  record ChildRun(String label, String appId, double seconds, long peakRssKb, long rssKb, long stateDirBytes,
      Map<String, Long> storeBytes) {}

  /** A child of the measured side as its checks see it: {@code doneNanos} when its inputs were committed. */
  record Started(String appId, int adminPort, long doneNanos) {}

  /**
   * What a stage's checks may read once its input is consumed (the children still running): the first
   * child's admin port and application id, the side's output, and every child by key.
   */
  record Finished(int adminPort, long consumedNanos, String appId, String output, Input input, StackEndpoints endpoints,
      Map<String, Started> children) {}

  private StreamsVsPassThrough() {}

  public static void main(String[] args) throws Exception {
    String which = args.length > 0 ? args[0] : "";
    Map<String, String> o = GatewayVsZipkin.options(args.length > 0 ? Arrays.copyOfRange(args, 1, args.length) : args);
    if (o.containsKey("shape") && !which.equals("alerts")) {
      throw new IllegalArgumentException("--shape " + o.get("shape") + ": only the alerts benchmark has a shape");
    }
    switch (which) {
      case "assembly" -> run(new AssemblySide(), o);
      case "metrics" -> run(new MetricsSide(), o);
      case "alerts" -> run(new AlertsSide(AlertsSide.Shape.parse(o.getOrDefault("shape", AlertsSide.Shape.ONE_APP.option()))), o);
      default -> throw new IllegalArgumentException("first argument: the stage to measure, assembly, metrics or alerts (was '" + which + "')");
    }
  }

  private static <C> void run(MeasuredApp<C> app, Map<String, String> o) throws Exception {
    Options options = new Options(app.key(), Long.parseLong(o.getOrDefault("spans", "2000000")),
        Integer.parseInt(o.getOrDefault("rounds", "2")), o.getOrDefault("gap", "2s"),
        Double.parseDouble(o.getOrDefault("rate", Double.toString(app.defaultRate()))), Integer.parseInt(o.getOrDefault("threads", "1")),
        o.getOrDefault("heap", "1g"), Path.of(o.getOrDefault("out", "docs/BENCHMARKS.md")),
        o.getOrDefault("sides", PASS_THROUGH_KEY + "," + app.key()), Integer.parseInt(o.getOrDefault("groups", "1000")));
    Path work = WorkDirs.fresh(Path.of("target", "bench-" + app.key())).toAbsolutePath();
    LocalStack stack = LocalStack.start(StackConfig.forTests(work.resolve("stack")));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.endpoints().kafkaBootstrap()))) {
      StackEndpoints endpoints = stack.endpoints();
      List<NewTopic> inputs = new ArrayList<>(List.of(new NewTopic(INPUT, PARTITIONS, (short) 1)));
      if (app.readsTraces()) {
        inputs.add(new NewTopic(TRACES, PARTITIONS, (short) 1));
      }
      admin.createTopics(inputs).all().get();
      System.out.printf(Locale.ROOT, "producing %,d spans to %s%s%n", options.spans(), INPUT,
          app.readsTraces() ? " and their trace summaries to " + TRACES : "");
      Input input = produce(app, endpoints, admin, options);
      System.out.printf(Locale.ROOT, "  %,d spans in %,d traces, %,d bytes per record, %.1f s (%,.0f spans/s), %,d bytes on the broker%n",
          input.spans(), input.traces(), input.recordBytes() / input.spans(), input.seconds(), input.spans() / input.seconds(),
          input.brokerBytes());
      if (input.summaries() > 0) {
        System.out.printf(Locale.ROOT, "  %,d trace summaries, %,d bytes per record%n", input.summaries(), input.summaryBytes() / input.summaries());
      }
      List<Run<C>> runs = new ArrayList<>();
      for (int round = 1; round <= options.rounds(); round++) {
        // Alternate who goes first, so neither always runs on the warmer (or more fragmented) broker.
        List<Side> order = round % 2 == 1 ? List.of(Side.PASS_THROUGH, Side.MEASURED) : List.of(Side.MEASURED, Side.PASS_THROUGH);
        for (Side side : order) {
          if (!Arrays.asList(options.sides().split(",")).contains(side == Side.PASS_THROUGH ? PASS_THROUGH_KEY : app.key())) {
            continue;
          }
          Run<C> run = run(app, side, round, options, input, endpoints, admin, work);
          runs.add(run);
          System.out.printf(Locale.ROOT,
              "round %d %-12s %,8.0f spans/s (steady %,8.0f), first commit after %.1f s, %.1f s in all, cores %s, RSS peak %,d MB%s%n",
              round, run.label(), run.spansPerSecond(), run.steadySpansPerSecond(), run.toFirstCommit(), run.seconds(), cores(run.cores()),
              run.peakRssKb() >> 10, run.contention().isEmpty() ? "" : ", contention: " + run.contention());
          if (run.jvms().size() > 1) {
            run.jvms().forEach(j -> System.out.printf(Locale.ROOT, "  %-12s done after %.1f s, RSS peak %,d MB, state dir %,d MB%n",
                j.label(), j.seconds(), j.peakRssKb() >> 10, j.stateDirBytes() >> 20));
          }
          if (run.checks() != null) {
            System.out.println(app.describe(run, input));
          }
        }
      }
      if (runs.stream().map(Run::side).distinct().count() < Side.values().length) {
        System.out.println("one side only (--sides): no report written");
        return;
      }
      BenchmarkReport.replaceSection(options.out(), app.heading(), app.section(options, input, runs), app.nextHeading());
      System.out.println("wrote " + options.out());
    } finally {
      stack.close();
    }
  }

  /** The input's generator: fixed seed, record time ending now. */
  static TraceTraffic traffic(Options options, TraceTraffic.Spread spread) {
    long streamMillis = (long) (options.spans() / options.rate() * 1000);
    return new TraceTraffic(20261201L, System.currentTimeMillis() - streamMillis, options.rate(), spread);
  }

  /**
   * Fills the input topic (and the summaries topic, for a stage that reads it): lz4, large batches, futures
   * not kept. A trace's summary is what the assembler would emit first for it — its spans folded by the
   * assembler's own {@link TraceAggregator} with the production limits, version 1 — written when its last
   * span is, with that span's record time.
   */
  private static Input produce(MeasuredApp<?> app, StackEndpoints endpoints, Admin admin, Options options) throws Exception {
    Map<String, Object> serdeConfig = Map.of("schema.registry.url", endpoints.schemaRegistryUrl());
    Serializer<LlmSpan> spans = AvroSerdes.specific(LlmSpan.class, serdeConfig, false).serializer();
    Serializer<TraceSummary> summaries = AvroSerdes.specific(TraceSummary.class, serdeConfig, false).serializer();
    TraceAggregator aggregator = new TraceAggregator(new TraceAggregator.Limits(AssemblyConfig.DEFAULT_MAX_SPANS,
        AssemblyConfig.DEFAULT_MAX_DISTINCT_VALUES));
    Map<String, TraceState> open = new HashMap<>();
    long[] bytes = {0, 0, 0}; // span bytes, summaries, summary bytes
    Map<String, Object> props = new HashMap<>(Map.of("bootstrap.servers", endpoints.kafkaBootstrap(), "acks", "all",
        "linger.ms", 20, "batch.size", 512 * 1024, "compression.type", "lz4", "buffer.memory", 128L << 20));
    AtomicReference<Exception> failed = new AtomicReference<>();
    long started = System.nanoTime();
    TraceTraffic traffic = traffic(options, app.spread(options));
    TraceTraffic.Counts counts;
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      counts = traffic.generate(options.spans(), (span, timestamp, spansInTrace, last) -> {
        byte[] encoded = spans.serialize(INPUT, span);
        bytes[0] += encoded.length;
        producer.send(new ProducerRecord<>(INPUT, null, timestamp, span.getTraceId(), encoded), (metadata, e) -> {
          if (e != null) {
            failed.compareAndSet(null, e);
          }
        });
        TraceSummary summary = null;
        if (app.readsTraces()) {
          TraceState state = open.computeIfAbsent(span.getTraceId(), TraceAggregator::empty);
          aggregator.add(state, span);
          if (last) {
            open.remove(span.getTraceId());
            summary = TraceAggregator.summarize(state, 1, Instant.ofEpochMilli(timestamp));
            byte[] encodedSummary = summaries.serialize(TRACES, summary);
            bytes[1]++;
            bytes[2] += encodedSummary.length;
            producer.send(new ProducerRecord<>(TRACES, null, timestamp, span.getTraceId(), encodedSummary), (metadata, e) -> {
              if (e != null) {
                failed.compareAndSet(null, e);
              }
            });
          }
        }
        app.observe(span, timestamp, summary);
      });
      producer.flush();
    }
    if (failed.get() != null) {
      throw new IllegalStateException("producing the input failed", failed.get());
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    long onBroker = topicBytes(admin, Set.of(INPUT));
    return new Input(counts.spans(), counts.traces(), bytes[0], seconds, onBroker, bytes[1], bytes[2], traffic.startMs());
  }

  private static <C> Run<C> run(MeasuredApp<C> app, Side side, int round, Options options, Input input, StackEndpoints endpoints,
      Admin admin, Path work) throws Exception {
    boolean measured = side == Side.MEASURED;
    String label = measured ? app.label() : "pass-through";
    String output = measured ? app.output(round) : "bench.passthrough.r" + round;
    String tracesCopy = "bench.passthrough-traces.r" + round;
    String deadLetters = "bench.dlq.r" + round;
    List<String> outputs = new ArrayList<>(List.of(output));
    List<MeasuredApp.Child> children;
    if (measured) {
      List<String> topics = new ArrayList<>(List.of(output, deadLetters));
      topics.addAll(app.topics(round));
      admin.createTopics(topics.stream().map(name -> new NewTopic(name, PARTITIONS, (short) 1)).toList()).all().get();
      children = app.children(options, round, output);
      children.forEach(c -> c.upstream().stream().filter(t -> !outputs.contains(t)).forEach(outputs::add));
    } else {
      if (app.readsTraces()) {
        outputs.add(tracesCopy);
      }
      admin.createTopics(outputs.stream().map(name -> new NewTopic(name, PARTITIONS, (short) 1)).toList()).all().get();
      children = List.of(new MeasuredApp.Child(PASS_THROUGH_KEY, label, PassThroughApp.class.getName(), Map.of(),
          MeasuredApp.prefilled(app.readsTraces()), List.of(), List.of(), List.of()));
    }
    List<Map<TopicPartition, Long>> inputEnds = new ArrayList<>();
    for (MeasuredApp.Child child : children) {
      Map<TopicPartition, Long> fixed = new HashMap<>();
      for (String topic : child.inputs()) {
        fixed.putAll(endOffsets(admin, topic));
      }
      inputEnds.add(fixed);
    }
    List<Launched> launched = new ArrayList<>();
    Set<String> contention = new TreeSet<>();
    long launchedAt = System.nanoTime();
    try {
      for (int i = 0; i < children.size(); i++) {
        launched.add(launch(children.get(i), round, options, endpoints, work, output, tracesCopy, deadLetters, inputEnds.get(i)));
      }
      Map<String, Long> pids = new LinkedHashMap<>();
      launched.forEach(l -> pids.put(l.child.label(), l.process.pid()));
      Set<Long> childPids = launched.stream().map(l -> l.process.pid()).collect(Collectors.toSet());
      ProcessHandle.current().children().filter(p -> !childPids.contains(p.pid())).forEach(p -> pids.put(service(p), p.pid()));
      CpuMeter cpu = new CpuMeter(pids);
      cpu.start();
      Launched first = launched.get(0);
      long total = first.fixed.values().stream().mapToLong(Long::longValue).sum();
      long firstCommit = 0;
      long committedAtFirst = 0;
      long lastContentionCheck = 0;
      long deadline = launchedAt + RUN_LIMIT.toNanos();
      while (true) {
        boolean earlierDone = true;
        for (Launched l : launched) {
          if (l.doneNanos == 0) {
            Map<TopicPartition, Long> committed = committed(admin, l.appId);
            long now = System.nanoTime();
            if (l == first && firstCommit == 0) {
              long sum = sum(committed, first.fixed.keySet());
              if (sum > 0) {
                firstCommit = now;
                committedAtFirst = sum;
              }
            }
            if (!l.process.isAlive()) {
              throw new IllegalStateException(l.child.label() + " exited with status " + l.process.exitValue() + " at "
                  + sum(committed, l.fixed.keySet()) + " of " + l.fixed.values().stream().mapToLong(Long::longValue).sum()
                  + " records; see " + l.log);
            }
            if (earlierDone && l.upstreamEnd == null) { // the children before it have just finished: what they wrote is its work
              l.upstreamEnd = new HashMap<>();
              for (String topic : l.child.upstream()) {
                l.upstreamEnd.putAll(endOffsets(admin, topic));
              }
            }
            if (l.upstreamEnd != null && reached(committed, l.fixed) && reached(committed, l.upstreamEnd)
                && reached(committed, internalEnd(admin, l))) {
              l.doneNanos = now;
            }
          }
          earlierDone &= l.doneNanos != 0;
        }
        long now = System.nanoTime();
        if (earlierDone) {
          break;
        }
        if (now > deadline) {
          throw new IllegalStateException(label + " did not consume its input in " + RUN_LIMIT + "; see " + launched.get(0).log);
        }
        if (now - lastContentionCheck > 2_000_000_000L) {
          contention.addAll(contention());
          lastContentionCheck = now;
        }
        LockSupport.parkNanos(100_000_000);
      }
      long consumed = launched.stream().mapToLong(l -> l.doneNanos).max().orElseThrow();
      if (committedAtFirst >= total) { // all of it in the first commit seen: no steady interval
        firstCommit = launchedAt;
        committedAtFirst = 0;
      }
      Map<String, Double> cores = cpu.stop();
      contention.addAll(contention());
      Map<String, long[]> rss = new LinkedHashMap<>();
      launched.forEach(l -> rss.put(l.child.key(), rss(l.process.pid())));
      Map<String, Started> started = new LinkedHashMap<>();
      launched.forEach(l -> started.put(l.child.key(), new Started(l.appId, l.adminPort, l.doneNanos)));
      C checks = measured ? app.check(new Finished(first.adminPort, consumed, first.appId, output, input, endpoints, started)) : null;
      for (Launched l : launched) {
        stop(l.process);
      }
      Map<String, Long> changelogs = new LinkedHashMap<>();
      Set<String> changelogTopics = new TreeSet<>();
      List<ChildRun> jvms = new ArrayList<>();
      Map<String, Long> storeBytes = new TreeMap<>();
      for (Launched l : launched) {
        for (String store : l.child.stores()) {
          changelogs.put(store, records(admin, changelog(l.appId, store)));
          changelogTopics.add(changelog(l.appId, store));
        }
        Map<String, Long> stores = storeBytes(l.stateDir);
        stores.forEach((store, bytes) -> storeBytes.merge(store, bytes, Long::sum));
        long[] kb = rss.get(l.child.key());
        jvms.add(new ChildRun(l.child.label(), l.appId, (l.doneNanos - launchedAt) / 1e9, kb[0], kb[1], directoryBytes(l.stateDir), stores));
      }
      return new Run<>(side, label, round, input.spans(), total, (consumed - launchedAt) / 1e9, (firstCommit - launchedAt) / 1e9,
          (total - committedAtFirst) / ((consumed - firstCommit) / 1e9), cores, jvms.stream().mapToLong(ChildRun::peakRssKb).sum(),
          jvms.stream().mapToLong(ChildRun::rssKb).sum(), jvms.stream().mapToLong(ChildRun::stateDirBytes).sum(), storeBytes, changelogs,
          topicBytes(admin, changelogTopics), topicBytes(admin, Set.copyOf(outputs)), contention, checks, jvms);
    } finally {
      for (Launched l : launched) {
        if (l.process.isAlive()) {
          l.process.destroyForcibly().waitFor();
        }
      }
    }
  }

  /** A child JVM of the side being measured, and how far it got. */
  private static final class Launched {
    final MeasuredApp.Child child;
    final String appId;
    final int adminPort;
    final Path stateDir;
    final Path log;
    final Process process;
    /** End offsets of the pre-filled topics it reads. */
    final Map<TopicPartition, Long> fixed;
    /** End offsets of its upstream topics when the children before it were done; null until then. */
    Map<TopicPartition, Long> upstreamEnd;
    long doneNanos;

    Launched(MeasuredApp.Child child, String appId, int adminPort, Path stateDir, Path log, Process process, Map<TopicPartition, Long> fixed) {
      this.child = child;
      this.appId = appId;
      this.adminPort = adminPort;
      this.stateDir = stateDir;
      this.log = log;
      this.process = process;
      this.fixed = fixed;
    }
  }

  static String appId(String key, int round) {
    return "bench-" + key + "-r" + round;
  }

  private static Launched launch(MeasuredApp.Child child, int round, Options options, StackEndpoints endpoints, Path work, String output,
      String tracesCopy, String deadLetters, Map<TopicPartition, Long> fixed) throws IOException {
    String appId = appId(child.key(), round);
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
    settings.put("llmtrace.topics.dead-letters", deadLetters);
    if (child.inputs().contains(TRACES)) {
      settings.put("llmtrace.topics.traces", TRACES);
      settings.put("llmtrace.passthrough.traces-output", tracesCopy);
    }
    settings.put("llmtrace.passthrough.output", output);
    settings.putAll(child.settings());
    settings.put("llmtrace." + child.key() + ".application-id", appId);
    settings.put("llmtrace." + child.key() + ".admin.host", "127.0.0.1");
    settings.put("llmtrace." + child.key() + ".admin.port", Integer.toString(adminPort));
    settings.put("llmtrace.streams.state.dir", stateDir.toString());
    settings.put("llmtrace.streams.num.stream.threads", Integer.toString(options.threads()));
    settings.forEach((name, value) -> command.add("-D" + name + "=" + value));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), child.mainClass()));
    Path log = work.resolve(appId + ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    // A harness stopped by a signal runs no finally block: without this its children would outlive it.
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
    return new Launched(child, appId, adminPort, stateDir, log, process, fixed);
  }

  /** End offsets of a child's internal topics now (asked only once everything else it reads is committed). */
  private static Map<TopicPartition, Long> internalEnd(Admin admin, Launched l) throws Exception {
    Map<TopicPartition, Long> end = new HashMap<>();
    for (String suffix : l.child.internal()) {
      end.putAll(endOffsets(admin, l.appId + "-" + suffix));
    }
    return end;
  }

  /** Every partition committed at least to its target. */
  private static boolean reached(Map<TopicPartition, Long> committed, Map<TopicPartition, Long> targets) {
    return targets.entrySet().stream().allMatch(e -> committed.getOrDefault(e.getKey(), 0L) >= e.getValue());
  }

  private static long sum(Map<TopicPartition, Long> committed, Set<TopicPartition> partitions) {
    return partitions.stream().mapToLong(tp -> committed.getOrDefault(tp, 0L)).sum();
  }

  static String changelog(String appId, String store) {
    return appId + "-" + store + "-changelog";
  }

  /**
   * Records ever written to a topic: its end offsets, which compaction does not lower (under
   * exactly_once_v2 they include one transaction marker per partition and commit, a few per second).
   */
  static long records(Admin admin, String topic) throws Exception {
    return endOffsets(admin, topic).values().stream().mapToLong(Long::longValue).sum();
  }

  static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> end = new HashMap<>();
    admin.listOffsets(latest).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
    return end;
  }

  /** A group's committed offsets (partitions without a commit left out). */
  private static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
    Map<TopicPartition, Long> committed = new HashMap<>();
    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().forEach((tp, o) -> {
      if (o != null) {
        committed.put(tp, o.offset());
      }
    });
    return committed;
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

  /**
   * Maven builds and test JVMs of others on the machine, which take CPU from the measured run: JVMs only, so
   * a build queued behind the shared Maven lock ({@code flock ... mvn ... -Dsurefire...}) is not counted.
   */
  private static Set<String> contention() {
    Set<String> seen = new TreeSet<>();
    ProcessHandle.allProcesses().forEach(p -> {
      if (!p.info().command().orElse("").endsWith("java")) {
        return;
      }
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

  /** The sentence a report gives on other agents' processes during the measured runs. */
  static String contentionNote(List<? extends Run<?>> runs) {
    Set<String> contention = new TreeSet<>();
    runs.forEach(r -> contention.addAll(r.contention()));
    return contention.isEmpty()
        ? "No other Maven build or test JVM was seen on the machine during the measured runs."
        : "**Other agents' " + String.join(", ", contention) + " processes ran on the machine during at least one measured run** ("
            + runs.stream().filter(r -> !r.contention().isEmpty()).map(r -> "round " + r.round() + " " + r.label())
                .collect(Collectors.joining(", "))
            + "), taking CPU from both the application and the broker: the \"other\" cores column shows how much; "
            + "read the ratios of the same round, not the absolute figures.";
  }

  private static long directoryBytes(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (var walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).mapToLong(path -> path.toFile().length()).sum();
    }
  }

  /** Bytes per store: Kafka Streams keeps a RocksDB store in {@code <state dir>/<app id>/<task>/rocksdb/<store>}. */
  private static Map<String, Long> storeBytes(Path dir) throws IOException {
    Map<String, Long> bytes = new TreeMap<>();
    if (!Files.exists(dir)) {
      return bytes;
    }
    try (var walk = Files.walk(dir)) {
      walk.filter(Files::isRegularFile).forEach(path -> {
        Path relative = dir.relativize(path);
        String store = "other";
        for (int i = 0; i + 1 < relative.getNameCount(); i++) {
          if (relative.getName(i).toString().equals("rocksdb")) {
            store = relative.getName(i + 1).toString();
          }
        }
        bytes.merge(store, path.toFile().length(), Long::sum);
      });
    }
    return bytes;
  }

  private static void stop(Process child) throws InterruptedException {
    child.destroy();
    if (!child.waitFor(60, TimeUnit.SECONDS)) {
      child.destroyForcibly().waitFor();
    }
  }

  static String scrape(int port) throws Exception {
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

  /** The round and speed rows every section starts with: spans/s per side and round, and the ratios. */
  static String runRows(List<? extends Run<?>> runs) {
    StringBuilder rows = new StringBuilder();
    for (Run<?> run : runs) {
      rows.append(String.format(Locale.ROOT, "| %d | %s | %,.0f | %,.0f | %.1f s | %s | %,d / %,d MB |%n", run.round(), run.label(),
          run.spansPerSecond(), run.steadySpansPerSecond(), run.toFirstCommit(), cores(run.cores()), run.peakRssKb() >> 10,
          run.rssKb() >> 10));
    }
    return rows.toString().stripTrailing() + "\n";
  }

  static String ratioRows(List<? extends Run<?>> runs, int rounds) {
    StringBuilder ratios = new StringBuilder();
    for (int round = 1; round <= rounds; round++) {
      Run<?> a = find(runs, Side.PASS_THROUGH, round);
      Run<?> b = find(runs, Side.MEASURED, round);
      ratios.append(String.format(Locale.ROOT, "| %d | %.2f× | %.2f× |%n", round, b.spansPerSecond() / a.spansPerSecond(),
          b.steadySpansPerSecond() / a.steadySpansPerSecond()));
    }
    return ratios.toString().stripTrailing() + "\n";
  }

  static Run<?> find(List<? extends Run<?>> runs, Side side, int round) {
    return runs.stream().filter(r -> r.side() == side && r.round() == round).findFirst().orElseThrow();
  }

  static double mean(List<? extends Run<?>> runs, Side side, boolean steady) {
    return runs.stream().filter(r -> r.side() == side).mapToDouble(r -> steady ? r.steadySpansPerSecond() : r.spansPerSecond())
        .average().orElse(0);
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
