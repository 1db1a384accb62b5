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
    Process server = builder.start();
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
   * Verifies that the job-handler role, which serves no HTTP, starts and stops. GIVEN
   * OUTPOST_ROLE=job-handler on the embedded services, WHEN it starts and then gets SIGTERM, THEN
   * it says it runs a job-handler on its queue (it named no port: it has none) and exits with no
   * error logged.
   */
  @Test
  void startsAJobHandlerAlone() throws Exception {
    Path log = home.resolve("job-handler.log");
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
    builder.environment().put("OUTPOST_ROLE", "job-handler");
    Process server = builder.start();
    try {
      awaitLine(
          log, "Outpost is running: a job-handler [queue: outpost.jobs].", Duration.ofMinutes(2));

      server.destroy(); // SIGTERM

      assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
    } finally {
      if (server.isAlive()) {
        server.destroy();
        if (!server.waitFor(30, TimeUnit.SECONDS)) {
          server.destroyForcibly();
        }
      }
    }
    assertThat(lines(log))
        .as("logged")
        .noneMatch(line -> line.contains(" ERROR ") || line.contains("could not start"));
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
