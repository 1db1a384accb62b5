package dev.outpost.server;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.server.jobs.JobHandler;
import dev.outpost.server.jobs.JobHandlers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The server checks its job handlers against the activity types before it starts. */
@ExtendWith(VertxExtension.class)
class JobHandlersStartTest {

  /** Verifies that the built-in handlers cover exactly the server-kind types. */
  @Test
  void theBuiltInHandlersCoverEveryServerType(Vertx vertx) {
    try (ServerFixture fx = new ServerFixture(vertx)) {
      Map<String, JobHandler> builtIn = fx.server.builtInHandlers(fx.config.fetch());

      assertThat(JobHandlers.checked(builtIn).keySet())
          .containsExactlyInAnyOrderElementsOf(JobHandlers.serverTypes());
    }
  }

  /**
   * Verifies that a server given a handler under a name that is no server-kind type refuses to
   * start, naming it, in every role.
   */
  @Test
  void aHandlerUnderAnUnknownNameStopsTheStart(Vertx vertx) throws Exception {
    ServerConfig config =
        ServerConfig.fromEnv(
            Map.of(
                "OUTPOST_HTTP_PORT",
                "0",
                "OUTPOST_ROLE",
                "api",
                "OUTPOST_JOBS_QUEUE",
                TestSupport.unique("outpost.test.jobs"),
                "OUTPOST_HOME",
                Files.createTempDirectory("outpost-test-home").toString()));
    JobHandler handler = context -> Future.succeededFuture("nothing done");

    assertThatThrownBy(
            () ->
                await(
                    OutpostServer.start(
                        vertx,
                        TestSupport.database(),
                        TestSupport.amqpUrl(),
                        config,
                        new TestSupport.SettableClock(Instant.parse("2030-01-01T00:00:00Z")),
                        Map.of("RemoveComputerRequest", handler))))
        .hasMessageContaining("'RemoveComputerRequest', which is no activity type");
  }
}
