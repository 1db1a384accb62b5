package dev.outpost.agent.handlers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.common.wire.WireMap;
import io.vertx.core.Vertx;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent's change-packages: simulated by default, answered as the Landscape Client's changer
 * answers; with package management enabled, the apt-get and apt-mark commands it runs.
 */
class PackageHandlerTest {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  /** Verifies that the simulated path says what it would have changed, with result code 1. */
  @Test
  void simulatesByDefault() {
    Map<String, Object> reply =
        new PackageHandler(vertx, false)
            .handle(new Operation(7, "change-packages", message(), null))
            .await();
    assertThat(reply.get("type")).isEqualTo("change-packages-result");
    assertThat(reply.get("operation-id")).isEqualTo(7L);
    assertThat(reply.get("result-code")).isEqualTo(1L);
    assertThat((String) reply.get("result-text"))
        .contains("install [hello]")
        .contains("upgrade [bash]")
        .contains("remove [nano]");
  }

  /** Verifies the commands run for real: installs, upgrades, removals, holds, in that order. */
  @Test
  void runsAptForTheNames() {
    assertThat(PackageHandler.commands(message()).stream().map(Object::toString).toList())
        .containsExactly(
            "env DEBIAN_FRONTEND=noninteractive apt-get -y -q install hello",
            "env DEBIAN_FRONTEND=noninteractive apt-get -y -q --only-upgrade install bash",
            "env DEBIAN_FRONTEND=noninteractive apt-get -y -q remove nano",
            "apt-mark hold vim=2:9.0");
  }

  /** Verifies that what is no package name (an option, an id) is refused, nothing run. */
  @Test
  void refusesWhatIsNoName() {
    for (Object bad : List.of("-oDebug=1", 42L, "Hello World")) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("install", List.of(bad));
      assertThatThrownBy(() -> PackageHandler.commands(WireMap.of(m)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("install");
    }
    Map<String, Object> reply =
        new PackageHandler(vertx, true)
            .handle(
                new Operation(
                    8,
                    "change-packages",
                    WireMap.of(Map.of("install", List.of("-oDebug=1"))),
                    null))
            .await();
    assertThat(reply.get("result-code")).isEqualTo(100L);
  }

  private static WireMap message() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "change-packages");
    m.put("install", List.of("hello"));
    m.put("upgrade", List.of("bash"));
    m.put("remove", List.of("nano"));
    m.put("hold", List.of("vim=2:9.0"));
    return WireMap.of(m);
  }
}
