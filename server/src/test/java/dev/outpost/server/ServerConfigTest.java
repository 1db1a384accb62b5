package dev.outpost.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("OUTPOST_DB_POOL_SIZE", "4",
        "OUTPOST_EXCHANGE_BATCHES", "5")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("OUTPOST_EXCHANGE_BATCHES must be between 1 and 4, not 5");
    assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("OUTPOST_EXCHANGE_BATCHES", "two")))
        .hasMessage("OUTPOST_EXCHANGE_BATCHES must be a whole number, not 'two'");
  }

  /** Verifies the limits' defaults, the ones README.md's table gives, and a refusal by name. */
  @Test
  void limitsHaveTheirDefaultsAndAreRefusedByName() {
    assertThat(ServerConfig.fromEnv(Map.of()).limits())
        .isEqualTo(new ServerConfig.Limits(100_000, 65_536, 1_048_576, 10_000, 5_000, 1_000, 120,
            5_000, 268_435_456, 262_144, 30));
    assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("OUTPOST_MAX_TARGETS", "0")))
        .hasMessage("OUTPOST_MAX_TARGETS must be between 1 and 2147483647, not 0");
  }
}
