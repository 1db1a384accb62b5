package dev.outpost.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

  @Test
  void exchangeBatchesDefaultToTwoAndFitInThePool() {
    assertThat(ServerConfig.fromEnv(Map.of()).exchangeBatches()).isEqualTo(2);
    assertThat(ServerConfig.fromEnv(Map.of("OUTPOST_DB_POOL_SIZE", "1")).exchangeBatches())
        .isEqualTo(1);
    assertThat(ServerConfig.fromEnv(Map.of("OUTPOST_EXCHANGE_BATCHES", "6")).exchangeBatches())
        .isEqualTo(6);
  }

  @Test
  void moreExchangeBatchesThanConnectionsAreRefusedByName() {
    assertThatThrownBy(
            () ->
                ServerConfig.fromEnv(
                    Map.of("OUTPOST_DB_POOL_SIZE", "4", "OUTPOST_EXCHANGE_BATCHES", "5")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("OUTPOST_EXCHANGE_BATCHES must be between 1 and 4, not 5");
    assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("OUTPOST_EXCHANGE_BATCHES", "two")))
        .hasMessage("OUTPOST_EXCHANGE_BATCHES must be a whole number, not 'two'");
  }

  /** Verifies the limits' defaults, the ones README.md's table gives, and a refusal by name. */
  @Test
  void limitsHaveTheirDefaultsAndAreRefusedByName() {
    assertThat(ServerConfig.fromEnv(Map.of()).limits())
        .isEqualTo(
            new ServerConfig.Limits(
                100_000,
                65_536,
                1_048_576,
                10_000,
                5_000,
                1_000,
                120,
                5_000,
                268_435_456,
                262_144,
                30,
                1_048_576,
                4_194_304,
                1_000,
                10_000,
                64,
                1_048_576,
                1_000,
                200_000,
                30));
    assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("OUTPOST_MAX_TARGETS", "0")))
        .hasMessage("OUTPOST_MAX_TARGETS must be between 1 and 2147483647, not 0");
  }

  /** Verifies the bounds of event streams and webhooks: the defaults README.md's table gives. */
  @Test
  void eventsHaveTheirDefaults() {
    assertThat(ServerConfig.fromEnv(Map.of()).events())
        .isEqualTo(
            new ServerConfig.EventsConfig(
                1_000,
                20,
                Duration.ofSeconds(15),
                1_048_576,
                20,
                Duration.ofDays(1),
                Duration.ofSeconds(1),
                Duration.ofDays(7)));
    assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("OUTPOST_WEBHOOK_BACKOFF_MS", "0")))
        .hasMessage("OUTPOST_WEBHOOK_BACKOFF_MS must be between 1 and 3600000, not 0");
  }

  /**
   * Verifies that channels are pinged every keepalive, or every half of the HTTP idle timeout when
   * that is shorter, so that an idle channel is never closed as an idle connection.
   */
  @Test
  void channelsArePingedWithinTheIdleTimeout() {
    assertThat(ServerConfig.fromEnv(Map.of()).limits().channelKeepaliveMillis()).isEqualTo(30_000);
    assertThat(
            ServerConfig.fromEnv(Map.of("OUTPOST_HTTP_IDLE_TIMEOUT_SECONDS", "10"))
                .limits()
                .channelKeepaliveMillis())
        .isEqualTo(5_000);
  }

  /** Verifies that no local pocket source and no private address is allowed unless configured. */
  @Test
  void fetchingDefaultsToPublicAddressesAndNoLocalSources() {
    ServerConfig.FetchConfig fetch = ServerConfig.fromEnv(Map.of()).fetch();

    assertThat(fetch.allowedPrivate()).isEmpty();
    assertThat(fetch.pocketRoots()).isEmpty();
    assertThat(fetch.pocketMaxBytes()).isEqualTo(10L * 1024 * 1024 * 1024);
    assertThat(fetch.pocketMaxFiles()).isEqualTo(100_000);
    assertThat(fetch.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(fetch.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(fetch.pocketTimeout()).isEqualTo(Duration.ofMinutes(30));
  }

  /**
   * Verifies that pocket roots are absolute directories separated by ':', that private addresses
   * are allowed as blocks or all at once, and that anything else is refused by name.
   */
  @Test
  void pocketRootsAndAllowedAddressesAreReadOrRefusedByName() {
    assertThat(
            ServerConfig.fromEnv(
                    Map.of(
                        "OUTPOST_POCKET_ROOTS",
                        "/srv/mirror/:/data/../opt",
                        "OUTPOST_OUTBOUND_ALLOW_PRIVATE",
                        "TRUE"))
                .fetch())
        .satisfies(
            fetch ->
                assertThat(fetch.pocketRoots())
                    .containsExactly(Path.of("/srv/mirror"), Path.of("/opt")))
        .satisfies(
            fetch -> assertThat(fetch.allowedPrivate()).containsExactly("0.0.0.0/0", "::/0"));
    assertThat(
            ServerConfig.fromEnv(
                    Map.of("OUTPOST_OUTBOUND_ALLOW_PRIVATE", " 10.1.0.0/16, fd00::/8,192.168.1.7"))
                .fetch()
                .allowedPrivate())
        .containsExactly("10.1.0.0/16", "fd00::/8", "192.168.1.7");
    assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("OUTPOST_POCKET_ROOTS", "/srv:mirror")))
        .hasMessage("OUTPOST_POCKET_ROOTS must name absolute directories, not 'mirror'");
    assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("OUTPOST_OUTBOUND_ALLOW_PRIVATE", "yes")))
        .hasMessage(
            "OUTPOST_OUTBOUND_ALLOW_PRIVATE must be true, false or address blocks such as"
                + " 10.1.0.0/16, not 'yes'");
    assertThatThrownBy(
            () ->
                ServerConfig.fromEnv(
                    Map.of("OUTPOST_OUTBOUND_ALLOW_PRIVATE", "10.0.0.0/8,10.0.0.0/33")))
        .hasMessageEndingWith("not '10.0.0.0/33'");
    assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("OUTPOST_POCKET_MAX_BYTES", "0")))
        .hasMessage("OUTPOST_POCKET_MAX_BYTES must be between 1 and 9223372036854775807, not 0");
  }
}
