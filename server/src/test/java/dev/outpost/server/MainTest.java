package dev.outpost.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server as {@code scripts/run} starts it: its own JVM, on the embedded services. */
class MainTest {

  @TempDir Path home;

  /**
   * Verifies that SIGTERM stops the server in order: its verticles while the database and the
   * broker are still there, then the broker, then the database, with no warning or error on the
   * way. GIVEN the server running on its embedded database and broker, WHEN it gets SIGTERM, THEN
   * it exits, and everything it logged after starting is the orderly stop.
   */
  @Test
  void stopsInOrderOnSigterm() throws Exception {
    Path log = home.resolve("server.log");
    Process server = startMain(log);
    try {
      awaitLine(log, "Outpost is running.", Duration.ofMinutes(2));

      server.destroy(); // SIGTERM

      assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
    } finally {
      // a server that did not start or stop in time still stops its embedded services on SIGTERM
      if (server.isAlive()) {
        server.destroy();
        if (!server.waitFor(30, TimeUnit.SECONDS)) {
          server.destroyForcibly();
        }
      }
    }
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    List<String> afterStart = lines.subList(lines.indexOf("Outpost is running."), lines.size());
    assertThat(afterStart)
        .as("logged after starting")
        .noneMatch(
            line ->
                line.contains(" WARN ") || line.contains(" ERROR ") || line.contains("Exception"));
    assertThat(afterStart.stream().filter(line -> line.contains(" stopped")))
        .as("stops, in order")
        .hasSize(3)
        .satisfiesExactly(
            line -> assertThat(line).contains("embedded broker stopped"),
            line -> assertThat(line).contains("embedded postgresql stopped"),
            line -> assertThat(line).contains("outpost stopped"));
  }

  /**
   * Verifies that a server given no certificate makes a local CA once and serves HTTPS with it.
   * GIVEN an empty home, WHEN the server starts, THEN it prints the CA's path and SHA-256
   * fingerprint, and curl trusting that CA gets its health over HTTPS; WHEN it is stopped and
   * started again on the same home, THEN it prints the same CA and fingerprint, and curl with the
   * CA it pinned still trusts it.
   */
  @Test
  void makesItsCaOnceAndServesHttps() throws Exception {
    List<String> fingerprints = new java.util.ArrayList<>();
    for (int start = 1; start <= 2; start++) {
      Path log = home.resolve("server-" + start + ".log");
      Process server = startMain(log);
      try {
        awaitLine(log, "Outpost is running.", Duration.ofMinutes(2));
        String caPath = banner(log, "CA certificate:");
        fingerprints.add(banner(log, "CA fingerprint:"));
        String https = banner(log, "HTTPS:");
        int port = Integer.parseInt(https.replaceAll(".*\\(port (\\d+),.*", "$1"));
        assertThat(Path.of(caPath)).isEqualTo(home.resolve("outpost/tls/ca.pem"));
        assertThat(fingerprints.get(start - 1)).matches("SHA256 ([0-9A-F]{2}:){31}[0-9A-F]{2}");
        assertThat(Files.readString(Path.of(caPath))).contains("BEGIN CERTIFICATE");
        Process curl =
            new ProcessBuilder(
                    "curl",
                    "-sS",
                    "--noproxy",
                    "*",
                    "--max-time",
                    "20",
                    "--cacert",
                    caPath,
                    "https://localhost:" + port + "/health")
                .redirectErrorStream(true)
                .start();
        String answer = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(curl.exitValue()).as("curl: %s", answer).isZero();
        assertThat(answer).contains("\"status\":\"ok\"");
      } finally {
        server.destroy();
        if (!server.waitFor(60, TimeUnit.SECONDS)) {
          server.destroyForcibly();
        }
      }
    }
    assertThat(fingerprints.get(1)).as("the CA of the second start").isEqualTo(fingerprints.get(0));
  }

  /** Starts the server's main class in a JVM of its own, on a home of the test's, random ports. */
  private Process startMain(Path log) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-Dlogback.configurationFile=logback.xml",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("OUTPOST_"));
    builder.environment().put("OUTPOST_HOME", home.resolve("outpost").toString());
    builder.environment().put("OUTPOST_HTTP_PORT", "0");
    builder.environment().put("OUTPOST_HTTPS_PORT", "0");
    return builder.start();
  }

  /** The value of a banner line, after its label. */
  private static String banner(Path log, String label) throws IOException {
    return lines(log).stream()
        .map(String::strip)
        .filter(line -> line.startsWith(label))
        .map(line -> line.substring(label.length()).strip())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no '" + label + "' line in the banner"));
  }

  private static void awaitLine(Path log, String line, Duration limit) throws Exception {
    Instant until = Instant.now().plus(limit);
    while (!lines(log).contains(line)) {
      assertThat(Instant.now())
          .as("'%s' in time; the log:%n%s", line, String.join("\n", lines(log)))
          .isBefore(until);
      Thread.sleep(100);
    }
  }

  private static List<String> lines(Path log) throws IOException {
    return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
  }
}
