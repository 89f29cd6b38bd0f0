#!/usr/bin/env bash
# Runs the llmtrace pipeline locally: a real Kafka broker (KRaft), Apicurio Registry and the embedded
# ClickHouse endpoint, plus the ingest gateway on 127.0.0.1:4318, with data and logs under
# .llmtrace-local/ (override with LLMTRACE_STACK_WORKDIR). Ctrl-C stops everything.
#
#   deploy/run-local.sh           start and keep running
#   deploy/run-local.sh check     start, report health, stop (exit 0 only if every part was healthy)
#   deploy/run-local.sh tail T    print the records of topic T of a running local pipeline as JSON
#
# Ports: LLMTRACE_STACK_KAFKA_PORT (9092), LLMTRACE_STACK_KAFKA_CONTROLLER_PORT (9093),
#        LLMTRACE_STACK_REGISTRY_PORT (8081), LLMTRACE_STACK_CLICKHOUSE_PORT (8123), LLMTRACE_GATEWAY_PORT (4318).
# Needs JDK 17+, Maven and npm (npm fetches the pinned ClickHouse engine once into ~/.cache/llmtrace).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in java mvn npm; do
  command -v "$tool" >/dev/null || { echo "run-local: '$tool' is required but not on PATH" >&2; exit 1; }
done

echo "building the launchers (first run downloads dependencies)..."
mvn -q -B -DskipTests -pl deploy/local-run -am package

export LLMTRACE_STACK_WORKDIR="${LLMTRACE_STACK_WORKDIR:-$PWD/.llmtrace-local}"
classpath="deploy/local-run/target/classes:$(cat deploy/local-run/target/runtime.classpath)"
if [ "${1:-}" = "tail" ]; then
  exec java -Xmx256m -cp "$classpath" io.llmtrace.deploy.TailTopic "${2:-llm.spans.redacted}"
fi
exec java -Xmx768m -cp "$classpath" io.llmtrace.deploy.LocalPipeline "${1:-up}"
