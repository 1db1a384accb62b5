package dev.outpost.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
      awaitLine(log, "Outpost is running.", Duration.ofMinutes(5));

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
   * Verifies that the server outlives its embedded PostgreSQL being killed, as the kernel's OOM
   * killer would kill it. GIVEN the server running on its embedded services, WHEN its postmaster
   * (that process only) gets SIGKILL, THEN a new postmaster runs on the same data, /health answers
   * 200 again, and a server activity created afterwards goes through the outbox and the job queue
   * to succeed.
   */
  @Test
  void startsItsPostgresqlAgainWhenItIsKilled() throws Exception {
    Path log = home.resolve("server.log");
    Process server = startMain(log);
    try {
      awaitLine(log, "Outpost is running.", Duration.ofMinutes(5));
      String api = banner(log, "admin API:");
      String token = banner(log, "admin token:");
      URI health = URI.create(api.replace("/api/v2", "/health"));
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      Instant until = Instant.now().plus(Duration.ofMinutes(3));
      while (status(http, health) != 200) {
        assertThat(Instant.now()).as("healthy once started").isBefore(until);
        Thread.sleep(250);
      }
      Path data = home.resolve("outpost").resolve("pgdata");
      long killed = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0));

      ProcessHandle.of(killed).orElseThrow().destroyForcibly(); // SIGKILL, to that pid only

      until = Instant.now().plus(Duration.ofMinutes(3));
      while (!(newPostmaster(data, killed) && status(http, health) == 200)) {
        assertThat(Instant.now())
            .as("healthy again in time; the log:%n%s", String.join("\n", lines(log)))
            .isBefore(until);
        assertThat(server.isAlive()).as("the server runs").isTrue();
        Thread.sleep(250);
      }
      HttpResponse<String> created =
          http.send(
              HttpRequest.newBuilder(URI.create(api + "/activities"))
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"type\": \"ArchiveRequest\", \"parameters\": {\"older_than_days\": 3650}}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      long id = new JsonObject(created.body()).getLong("id");
      String status = "";
      while (!status.equals("succeeded")) {
        assertThat(Instant.now()).as("succeeded in time, still %s", status).isBefore(until);
        Thread.sleep(250);
        HttpResponse<String> read =
            http.send(
                HttpRequest.newBuilder(URI.create(api + "/activities/" + id))
                    .header("Authorization", "Bearer " + token)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        status = new JsonObject(read.body()).getString("status", "");
      }
      assertThat(String.join("\n", lines(log)))
          .contains("embedded postgresql stopped running")
          .contains("embedded postgresql started again");
    } finally {
      stop(server);
    }
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

  /**
   * Verifies that the job-handler role, which serves no HTTP, starts and stops. GIVEN
   * OUTPOST_ROLE=job-handler on the embedded services, WHEN it starts and then gets SIGTERM, THEN
   * it says it runs a job-handler on its queue (it named no port: it has none) and exits with no
   * error logged.
   */
  @Test
  void startsAJobHandlerAlone() throws Exception {
    Path log = home.resolve("job-handler.log");
    Process server =
        startMain(log, Map.of("OUTPOST_ROLE", "job-handler", "OUTPOST_HEALTH_PORT", "0"));
    try {
      awaitLine(
          log, "Outpost is running: a job-handler [queue: outpost.jobs].", Duration.ofMinutes(2));

      server.destroy(); // SIGTERM

      assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
    } finally {
      stop(server);
    }
    assertThat(lines(log))
        .as("logged")
        .noneMatch(line -> line.contains(" ERROR ") || line.contains("could not start"));
  }

  /** Starts the server's main class in a JVM of its own, on a home of the test's, random ports. */
  private Process startMain(Path log) throws IOException {
    return startMain(log, Map.of());
  }

  /** The same, with these settings besides. */
  private Process startMain(Path log, Map<String, String> settings) throws IOException {
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
    builder.environment().putAll(settings);
    return builder.start();
  }

  /** Stops the server, which stops its embedded services, on SIGTERM; forcibly past 30 s. */
  private static void stop(Process server) throws InterruptedException {
    if (server.isAlive()) {
      server.destroy();
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
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

  private static boolean newPostmaster(Path data, long killed) {
    try {
      long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).strip());
      return pid != killed && ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static int status(HttpClient http, URI uri) throws InterruptedException {
    try {
      return http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    }
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
