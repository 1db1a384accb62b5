package dev.outpost.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server over HTTPS, checked with curl as an operator would: its certificate verified against
 * the CA file, plain HTTP served on loopback only.
 */
class HttpsTest {

  @TempDir static Path tls;

  private static Vertx vertx;
  private static ServerFixture fixture;
  private static LocalCa.Issued issued;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    issued = LocalCa.ensure(tls.resolve("server"), List.of(), Clock.systemUTC());
    fixture =
        new ServerFixture(
            vertx,
            Map.of(
                "OUTPOST_TLS_CERT", issued.certificate().toString(),
                "OUTPOST_TLS_KEY", issued.key().toString(),
                "OUTPOST_HTTPS_PORT", "0"),
            Map.of());
  }

  @AfterAll
  static void stop() {
    if (fixture != null) {
      fixture.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  /**
   * Verifies the handshake with the right CA. GIVEN a server with a certificate its CA signed, WHEN
   * curl asks for health and the admin API over HTTPS by name and by address, with {@code --cacert}
   * naming the CA, THEN both answer 200.
   */
  @Test
  void curlTrustsTheServerWithItsCa() throws Exception {
    int port = fixture.server.httpsPort();
    for (String host : List.of("localhost", "127.0.0.1", "[::1]")) {
      Curl health =
          curl(
              "--cacert",
              issued.caCertificate().toString(),
              "https://" + host + ":" + port + "/health");
      if (host.startsWith("[") && health.exit() == 7) {
        continue; // no IPv6 on this machine
      }
      assertThat(health.exit()).as("curl to %s: %s", host, health.stderr()).isZero();
      assertThat(health.stdout()).contains("\"status\":\"ok\"");
    }
    Curl api =
        curl(
            "--cacert",
            issued.caCertificate().toString(),
            "-H",
            "Authorization: Bearer " + fixture.token,
            "https://localhost:" + port + "/api/v2/activities?limit=1");
    assertThat(api.exit()).as(api.stderr()).isZero();
    assertThat(api.stdout()).contains("\"results\"");
  }

  /**
   * Verifies the handshake with a wrong CA. GIVEN the server, WHEN curl connects with another CA's
   * certificate as {@code --cacert}, or with the system's CAs only, THEN it refuses the server's
   * certificate (exit 60) and sends no request.
   */
  @Test
  void curlRefusesTheServerWithAnotherCa() throws Exception {
    LocalCa.Issued other = LocalCa.ensure(tls.resolve("other"), List.of(), Clock.systemUTC());
    String url = "https://localhost:" + fixture.server.httpsPort() + "/health";

    Curl wrong = curl("--cacert", other.caCertificate().toString(), url);
    Curl system = curl(url);

    assertThat(wrong.exit()).as(wrong.stderr()).isEqualTo(60);
    assertThat(system.exit()).as(system.stderr()).isEqualTo(60);
  }

  /**
   * Verifies that plain HTTP stays on loopback. GIVEN the server, WHEN curl asks for health over
   * plain HTTP at 127.0.0.1 and at an address of this machine that is not loopback, THEN loopback
   * answers 200 and the other address refuses the connection (exit 7): nothing listens there.
   */
  @Test
  void plainHttpIsServedOnLoopbackOnly() throws Exception {
    int port = fixture.server.httpPort();

    Curl loopback = curl("http://127.0.0.1:" + port + "/health");

    assertThat(loopback.exit()).as(loopback.stderr()).isZero();
    assertThat(loopback.stdout()).contains("\"status\":\"ok\"");
    Optional<String> outside = nonLoopbackAddress();
    Assumptions.assumeTrue(outside.isPresent(), "this machine has an address besides loopback");
    Curl remote = curl("http://" + outside.get() + ":" + port + "/health");
    assertThat(remote.exit())
        .as("curl over plain HTTP to %s: %s", outside.get(), remote.stderr())
        .isEqualTo(7);
    Curl secure =
        curl(
            "--cacert",
            issued.caCertificate().toString(),
            "--connect-to",
            "localhost:"
                + fixture.server.httpsPort()
                + ":"
                + outside.get()
                + ":"
                + fixture.server.httpsPort(),
            "https://localhost:" + fixture.server.httpsPort() + "/health");
    assertThat(secure.exit()).as("HTTPS on %s: %s", outside.get(), secure.stderr()).isZero();
  }

  /** An IPv4 address of this machine that is not loopback, when it has one. */
  static Optional<String> nonLoopbackAddress() throws IOException {
    List<String> found = new ArrayList<>();
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
          found.add(address.getHostAddress());
        }
      }
    }
    return found.stream().findFirst();
  }

  record Curl(int exit, String stdout, String stderr) {}

  static Curl curl(String... args) throws Exception {
    List<String> command =
        new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "--noproxy", "*"));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(tls, "curl", ".out");
    Path err = Files.createTempFile(tls, "curl", ".err");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("curl did not end: " + command);
    }
    return new Curl(
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
