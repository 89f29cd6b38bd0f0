#!/usr/bin/env bash
# Runs a benchmark harness and updates docs/BENCHMARKS.md. Not part of the test suite.
#
#   deploy/bench.sh gateway [--seconds 20 --warmup 30 --rounds 3 --connections 32 --threads 2]
#   deploy/bench.sh sink [--spans 300000 --rounds 2]
#   deploy/bench.sh assembly [--spans 2000000 --rounds 2 --gap 2s --rate 20000 --threads 1 --heap 1g]
#   deploy/bench.sh metrics [--spans 2000000 --rounds 2 --groups 1000 --rate 4000 --threads 1 --heap 1g]
#   deploy/bench.sh alerts [--shape one-app|two-apps --spans 2000000 --rounds 2 --groups 1000 --rate 4000 --threads 1 --heap 1g]
#
# "gateway": the ingest gateway (durable to a real local Kafka) against a Zipkin 3.6 server, driven by wrk.
# "sink": the ClickHouse sink (Kafka -> embedded ClickHouse) against direct RowBinary inserts of the same rows.
# "assembly": the trace-assembly Kafka Streams app against a pass-through Streams app over the same spans (one child JVM each).
# "metrics": the windowed-metrics Streams app (about --groups active groups per one-minute window) against a pass-through
#   over the same spans and trace summaries (one child JVM each).
# "alerts": windowed metrics and alert evaluation (all bundled rules) against the pass-through. --shape one-app (the
#   default): one JVM, the metrics app evaluating the rules itself (llmtrace.metrics.evaluate-alerts=true), section
#   "Windowed metrics + alerts vs pass-through". --shape two-apps: the metrics app and the alert app started together,
#   the alert app reading the metric windows as they are published and the same spans (--heap is per JVM; --threads
#   each), section "Windowed metrics + a separate alert app vs pass-through".
# assembly, metrics and alerts also take --sides <assembly|metrics|alerts|passthrough> (one side, no report) and --out <file>;
# BENCH_JAVA_OPTS=-Dbench.jfr=1 records a JFR profile of each child into target/bench-<name>/.
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-gateway}"; shift || true

if [ "$which" = gateway ] && ! command -v wrk >/dev/null; then
  echo "installing wrk (the load generator)"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get install -y -q wrk >/dev/null
fi

mvn -q -B -DskipTests -pl deploy/benchmarks -am package
classpath="deploy/benchmarks/target/classes:$(cat deploy/benchmarks/target/runtime.classpath)"
# The stack's broker, registry and ClickHouse endpoint run as production JVMs would (both JIT tiers), not
# in the quick-start mode tests use.
case "$which" in
  gateway) exec java -Xmx512m -Dllmtrace.stack.jvm=server ${BENCH_JAVA_OPTS:-} -cp "$classpath" io.llmtrace.bench.GatewayVsZipkin "$@" ;;
  sink) exec java -Xmx3g -Dllmtrace.stack.jvm=server ${BENCH_JAVA_OPTS:-} -cp "$classpath" io.llmtrace.bench.SinkVsDirectInsert "$@" ;;
  assembly|metrics|alerts) exec java -Xmx2g -Dllmtrace.stack.jvm=server ${BENCH_JAVA_OPTS:-} -cp "$classpath" io.llmtrace.bench.StreamsVsPassThrough "$which" "$@" ;;
  *) echo "unknown benchmark: $which (known: gateway, sink, assembly, metrics, alerts)" >&2; exit 2 ;;
esac
