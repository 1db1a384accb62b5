package dev.outpost.agent.handlers;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.agent.config.AgentConfig;
import dev.outpost.agent.config.Intervals;
import dev.outpost.agent.config.ScriptUsers;
import dev.outpost.agent.config.ServerTrust;
import dev.outpost.agent.config.ServerUrls;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The agent's handlers, checked against the message types of the client activity types. */
@ExtendWith(VertxExtension.class)
class HandlersTest {

  /**
   * Verifies that a real agent's handlers pass the check and, with the simulated rest, take every
   * client message type, each once.
   */
  @Test
  void theRealHandlersPassAndEveryClientMessageTypeIsTaken(Vertx vertx, @TempDir Path dataDir) {
    Handlers handlers = Handlers.real(vertx, config(dataDir), new Random(), Clock.systemUTC());
    try {
      assertThat(handlers.types()).isEqualTo(Handlers.messageTypes());
      assertThat(handlers.find("execute-script")).containsInstanceOf(ScriptHandler.class);
      assertThat(handlers.find("change-packages")).containsInstanceOf(PackageHandler.class);
      assertThat(handlers.find("install-snaps")).containsInstanceOf(SimulatedHandler.class);
    } finally {
      await(handlers.close());
    }
  }

  /** Verifies that a real handler taking a type no client activity sends is refused by name. */
  @Test
  void aHandlerOfAnUnknownMessageTypeIsRefusedByName() {
    List<Handler> real = List.of(new ResynchronizeHandler(), taking("execute-scripts"));

    assertThatThrownBy(() -> Handlers.checked(real))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'execute-scripts', which no client activity type sends");
  }

  /** Verifies that two real handlers taking one message type are refused, the type named. */
  @Test
  void twoHandlersOfOneMessageTypeAreRefused() {
    List<Handler> real = List.of(new ResynchronizeHandler(), taking("resynchronize"));

    assertThatThrownBy(() -> Handlers.checked(real))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("message type 'resynchronize' is taken by two handlers");
  }

  /** A handler taking the given message types, which never runs. */
  private static Handler taking(String... types) {
    return new Handler() {
      @Override
      public List<String> types() {
        return List.of(types);
      }

      @Override
      public Future<Map<String, Object>> handle(Operation operation) {
        return Future.failedFuture("not run in this test");
      }
    };
  }

  private static AgentConfig config(Path dataDir) {
    return new AgentConfig(
        ServerUrls.of("http://127.0.0.1:1/message-system", Optional.empty()),
        "account",
        Optional.empty(),
        "title",
        "title.test",
        Optional.empty(),
        dataDir,
        new Intervals(Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(30)),
        Duration.ofSeconds(1),
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        false,
        false,
        ScriptUsers.DEFAULT,
        false,
        ServerTrust.SYSTEM,
        false);
  }
}
