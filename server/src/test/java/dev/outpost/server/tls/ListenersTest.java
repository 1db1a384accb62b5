package dev.outpost.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.server.ServerConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Where the HTTP front listens, as the environment says. */
class ListenersTest {

  /**
   * Verifies the defaults README.md's table gives: plain HTTP on loopback, HTTPS on 8443 on every
   * address, no certificate (the jar's start makes one).
   */
  @Test
  void defaultsKeepPlainHttpOnLoopback() {
    assertThat(ServerConfig.fromEnv(Map.of()).listeners())
        .isEqualTo(new Listeners("127.0.0.1", 8443, "0.0.0.0", Optional.empty()));
  }

  /**
   * Verifies that a certificate and its key go together. GIVEN both, THEN HTTPS serves them; GIVEN
   * one alone, THEN the configuration is refused naming both settings; GIVEN a port out of range,
   * THEN it is refused by name.
   */
  @Test
  void certificateAndKeyGoTogether() {
    Listeners both =
        Listeners.fromEnv(
            Map.of(
                "OUTPOST_TLS_CERT",
                "/etc/outpost/cert.pem",
                "OUTPOST_TLS_KEY",
                "/etc/outpost/key.pem"));
    assertThat(both.certificate())
        .contains(
            new Listeners.Certificate(
                Path.of("/etc/outpost/cert.pem"), Path.of("/etc/outpost/key.pem")));
    assertThat(both.https()).isTrue();
    assertThatThrownBy(() -> Listeners.fromEnv(Map.of("OUTPOST_TLS_CERT", "/etc/outpost/cert.pem")))
        .hasMessageContaining("OUTPOST_TLS_CERT and OUTPOST_TLS_KEY go together");
    assertThatThrownBy(() -> Listeners.fromEnv(Map.of("OUTPOST_HTTPS_PORT", "70000")))
        .hasMessage("OUTPOST_HTTPS_PORT must be between 0 and 65535, not 70000");
  }
}
