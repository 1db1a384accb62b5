package dev.outpost.agent;

import static dev.outpost.server.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.outpost.agent.config.AgentConfig;
import dev.outpost.agent.config.ServerTrust;
import dev.outpost.agent.config.ServerUrls;
import dev.outpost.server.LogCapture;
import dev.outpost.server.TestSupport;
import dev.outpost.server.tls.LocalCa;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent over HTTPS: it verifies the server against the CA it is given, refuses a server its CA
 * did not sign with a log line saying so, and sends nothing over plain HTTP beyond loopback unless
 * told to.
 */
class TlsTest {

  @TempDir static Path dir;

  private static Vertx vertx;
  private static AgentFixture fx;
  private static LocalCa.Issued issued;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    issued = LocalCa.ensure(dir.resolve("server"), List.of(), Clock.systemUTC());
    fx =
        new AgentFixture(
            vertx,
            Map.of(
                "OUTPOST_TLS_CERT", issued.certificate().toString(),
                "OUTPOST_TLS_KEY", issued.key().toString(),
                "OUTPOST_HTTPS_PORT", "0"));
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  private static String httpsUrl() {
    return "https://localhost:" + fx.server.server.httpsPort() + "/message-system";
  }

  private static AgentConfig config(String title, ServerTrust trust) {
    AgentConfig base = fx.config(dir.resolve(title), title, httpsUrl());
    return new AgentConfig(
        base.urls(),
        base.accountName(),
        base.registrationKey(),
        base.computerTitle(),
        base.hostname(),
        base.tags(),
        base.dataDir(),
        base.intervals(),
        base.backoffMin(),
        base.backoffMax(),
        base.requestTimeout(),
        base.enableShutdown(),
        base.enableUserManagement(),
        base.scriptUsers(),
        base.channel(),
        trust,
        false);
  }

  /**
   * Verifies the whole path over HTTPS with the right CA. GIVEN a server with a certificate signed
   * by its local CA, WHEN an agent given that CA (as a file, then inline as base64) talks to its
   * https URL, THEN it registers, opens its channel (wss), and runs a script whose attachment it
   * fetches over HTTPS.
   */
  @Test
  void agentTrustingTheCaRegistersAndRunsOverHttps() throws Exception {
    AgentVerticle agent =
        fx.start(
            config(
                "tls-right-ca",
                new ServerTrust(Optional.of(issued.caCertificate().toString()), false)));
    long computer = AgentFixture.computerOf(agent);
    eventually(30, () -> fx.server.server.channels().holds(computer));

    long activity =
        fx.activity(
            "ExecuteScriptRequest",
            computer,
            new JsonObject()
                .put("code", "cat \"$LANDSCAPE_ATTACHMENTS/note.txt\"")
                .put("attachments", new JsonObject().put("note.txt", "fetched over https")));
    JsonObject done = fx.awaitFinal(activity);
    assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("succeeded");
    assertThat(done.getString("result_text")).isEqualTo("fetched over https");

    String inline =
        "base64:"
            + Base64.getEncoder()
                .encodeToString(
                    Files.readString(issued.caCertificate()).getBytes(StandardCharsets.US_ASCII));
    AgentVerticle second =
        fx.start(config("tls-inline-ca", new ServerTrust(Optional.of(inline), false)));
    assertThat(second.agent().protocol().identity()).isPresent();
  }

  /**
   * Verifies the refusal of a server another CA signed. GIVEN the server, WHEN an agent given
   * another CA's certificate talks to it, THEN it never registers, and logs that the server is not
   * trusted because its certificate is not signed by the CA in that file.
   */
  @Test
  void agentWithAnotherCaRefusesTheServer() throws Exception {
    LocalCa.Issued other = LocalCa.ensure(dir.resolve("other"), List.of(), Clock.systemUTC());
    AgentConfig config =
        config(
            "tls-wrong-ca", new ServerTrust(Optional.of(other.caCertificate().toString()), false));
    try (LogCapture log = new LogCapture(Level.WARN)) {
      AgentVerticle agent = new AgentVerticle(config, Clock.systemUTC());
      TestSupport.await(vertx.deployVerticle(agent));
      try {
        awaitLog(
            log,
            () ->
                log.lines().stream()
                    .anyMatch(
                        line ->
                            line.contains("exchange failed")
                                && line.contains(
                                    "TLS: the server at localhost:"
                                        + fx.server.server.httpsPort()
                                        + " is not trusted: its certificate is not signed by the"
                                        + " CA in "
                                        + other.caCertificate()
                                        + " (--ssl-ca)")));
        assertThat(agent.agent().protocol().identity()).as("registered").isEmpty();
      } finally {
        TestSupport.await(vertx.undeploy(agent.deploymentID()));
      }
    }
  }

  private static void awaitLog(LogCapture log, java.util.function.BooleanSupplier found) {
    try {
      eventually(30, found);
    } catch (AssertionError e) {
      throw new AssertionError("not logged; the log:\n" + String.join("\n", log.lines()), e);
    }
  }

  /**
   * Verifies the refusal of plain HTTP beyond loopback. GIVEN agents configured with http URLs,
   * WHEN one names a host that is not loopback, THEN it does not start, saying why and what would
   * allow it; loopback names and addresses, https, and --allow-insecure-http pass the check.
   */
  @Test
  void plainHttpGoesToLoopbackOnly() {
    ServerTrust strict = ServerTrust.SYSTEM;
    ServerTrust allowing = new ServerTrust(Optional.empty(), true);
    for (String host : List.of("127.0.0.1", "127.8.9.10", "localhost", "[::1]")) {
      strict.check(ServerUrls.of("http://" + host + ":8080/message-system", Optional.empty()));
    }
    strict.check(ServerUrls.of("https://outpost.example.com/message-system", Optional.empty()));
    allowing.check(ServerUrls.of("http://outpost.example.com/message-system", Optional.empty()));
    for (String url :
        List.of(
            "http://outpost.example.com/message-system",
            "http://10.0.0.1:8080/message-system",
            "http://[fe80::1]:8080/message-system",
            "http://localhost.example.com/message-system")) {
      assertThatThrownBy(() -> strict.check(ServerUrls.of(url, Optional.empty())))
          .as(url)
          .hasMessageContaining("refusing plain HTTP")
          .hasMessageContaining("--allow-insecure-http");
    }
    assertThatThrownBy(
            () ->
                strict.check(
                    ServerUrls.of(
                        "https://outpost.example.com/message-system",
                        Optional.of("http://outpost.example.com/ping"))))
        .as("a plain ping URL beyond loopback")
        .hasMessageContaining("refusing plain HTTP");

    AgentConfig refused =
        new AgentConfig(
            ServerUrls.of("http://192.0.2.1:8080/message-system", Optional.empty()),
            fx.server.accountName,
            Optional.of(fx.server.registrationKey),
            "insecure",
            "insecure.test",
            Optional.empty(),
            dir.resolve("insecure"),
            fx.config(dir.resolve("x"), "x").intervals(),
            java.time.Duration.ofMillis(50),
            java.time.Duration.ofMillis(500),
            java.time.Duration.ofSeconds(10),
            false,
            false,
            dev.outpost.agent.config.ScriptUsers.ALL,
            true,
            ServerTrust.SYSTEM,
            false);
    assertThatThrownBy(
            () ->
                TestSupport.await(
                    vertx.deployVerticle(new AgentVerticle(refused, Clock.systemUTC()))))
        .hasMessageContaining("refusing plain HTTP to 192.0.2.1");
  }

  /**
   * Verifies that a CA that cannot be used stops the agent at start. GIVEN --ssl-ca naming a file
   * that is missing, or one without a certificate, WHEN the agent starts, THEN it fails naming the
   * file.
   */
  @Test
  void unusableCaStopsTheStart() throws Exception {
    Path notPem = Files.writeString(dir.resolve("not-a-ca.pem"), "hello");
    for (Path ca : List.of(dir.resolve("missing.pem"), notPem)) {
      AgentConfig config = config("tls-bad-ca", new ServerTrust(Optional.of(ca.toString()), false));
      assertThatThrownBy(
              () ->
                  TestSupport.await(
                      vertx.deployVerticle(new AgentVerticle(config, Clock.systemUTC()))))
          .hasMessageContaining("--ssl-ca")
          .hasMessageContaining(ca.toString());
    }
  }
}
