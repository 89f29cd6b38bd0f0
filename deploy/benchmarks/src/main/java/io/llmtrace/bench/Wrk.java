package io.llmtrace.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives a server with wrk (the same load generator for every target): POSTs a body template whose
 * trace id is replaced per request, and parses the rate and latency percentiles wrk reports.
 */
final class Wrk {

  /** What one wrk run measured. */
  record Result(String target, double requestsPerSecond, double p50Millis, double p99Millis, long requests, long non2xx, long socketErrors) {
    double spansPerSecond() {
      return requestsPerSecond * Payloads.SPANS;
    }
  }

  private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in");
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
  private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

  private Wrk() {}

  static Path script(Path dir, String name, String url, String body, List<String> headers) throws IOException {
    StringBuilder lua = new StringBuilder();
    lua.append("wrk.method = \"POST\"\n");
    for (int i = 0; i < headers.size(); i += 2) {
      lua.append("wrk.headers[\"").append(headers.get(i)).append("\"] = \"").append(headers.get(i + 1)).append("\"\n");
    }
    lua.append("local mark = \"").append(Payloads.TRACE_ID).append("\"\n")
        .append("local template = [==[").append(body).append("]==]\n")
        .append("local parts = {}\n")
        .append("for piece in (template .. mark):gmatch(\"(.-)\" .. mark) do table.insert(parts, piece) end\n")
        .append("local seeded = false\n")
        .append("request = function()\n")
        .append("  if not seeded then math.randomseed(os.time() + math.floor(os.clock() * 1000000)); seeded = true end\n")
        .append("  local id = string.format(\"%08x%08x%08x%08x\", math.random(0, 2147483647), math.random(0, 2147483647),"
            + " math.random(0, 2147483647), math.random(0, 2147483647))\n")
        .append("  return wrk.format(nil, nil, nil, table.concat(parts, id))\n")
        .append("end\n");
    Path file = dir.resolve(name + ".lua");
    Files.writeString(file, lua.toString(), StandardCharsets.UTF_8);
    return file;
  }

  static Result run(String target, String url, Path script, int threads, int connections, int seconds) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s", "--latency",
        "--timeout", "10s", "-s", script.toString(), url));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IOException("wrk failed on " + target + ":\n" + output);
    }
    return parse(target, output);
  }

  static Result parse(String target, String output) {
    Matcher rate = RATE.matcher(output);
    if (!rate.find()) {
      throw new IllegalStateException("no rate in wrk output for " + target + ":\n" + output);
    }
    Matcher total = TOTAL.matcher(output);
    Matcher non2xx = NON_2XX.matcher(output);
    Matcher socket = SOCKET_ERRORS.matcher(output);
    long errors = 0;
    if (socket.find()) {
      for (int g = 1; g <= 4; g++) {
        errors += Long.parseLong(socket.group(g));
      }
    }
    return new Result(target, Double.parseDouble(rate.group(1)), percentile(output, "50%"), percentile(output, "99%"),
        total.find() ? Long.parseLong(total.group(1)) : 0, non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0, errors);
  }

  private static double percentile(String output, String label) {
    Matcher m = Pattern.compile("^\\s+" + Pattern.quote(label) + "\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE).matcher(output);
    if (!m.find()) {
      return Double.NaN;
    }
    double value = Double.parseDouble(m.group(1));
    return switch (m.group(2)) {
      case "us" -> value / 1000;
      case "s" -> value * 1000;
      default -> value;
    };
  }
}
