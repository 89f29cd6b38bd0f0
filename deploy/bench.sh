#!/usr/bin/env bash
# Runs a benchmark harness and updates docs/BENCHMARKS.md. Not part of the test suite.
#
#   deploy/bench.sh gateway [--seconds 20 --warmup 30 --rounds 3 --connections 32 --threads 2]
#   deploy/bench.sh sink [--spans 300000 --rounds 2]
#   deploy/bench.sh assembly [--spans 2000000 --rounds 2 --gap 2s --rate 20000 --threads 1 --heap 1g]
#
# "gateway": the ingest gateway (durable to a real local Kafka) against a Zipkin 3.6 server, driven by wrk.
# "sink": the ClickHouse sink (Kafka -> embedded ClickHouse) against direct RowBinary inserts of the same rows.
# "assembly": the trace-assembly Kafka Streams app against a pass-through Streams app over the same spans (one child JVM each).
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
  assembly) exec java -Xmx2g -Dllmtrace.stack.jvm=server ${BENCH_JAVA_OPTS:-} -cp "$classpath" io.llmtrace.bench.AssemblyVsPassThrough "$@" ;;
  *) echo "unknown benchmark: $which (known: gateway, sink, assembly)" >&2; exit 2 ;;
esac
