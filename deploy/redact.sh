#!/usr/bin/env bash
# Try a redaction policy on sample data before it goes live (for security reviewers).
#
#   deploy/redact.sh --policy deploy/config/redaction-policy.yaml [--tenant acme] [--json] samples.txt
#   echo 'mail jane@example.com' | deploy/redact.sh --policy deploy/config/redaction-policy.yaml -
#
# Prints each redacted line (or JSON document with --json) and the detectors that fired.
# Exit status: 0 nothing found, 1 something found, 2 usage or policy error.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -DskipTests -pl stream-processors -am package >&2
exec java -Xmx256m -cp "stream-processors/target/classes:$(cat stream-processors/target/runtime.classpath)" \
  io.llmtrace.processors.redaction.cli.RedactCli "$@"
