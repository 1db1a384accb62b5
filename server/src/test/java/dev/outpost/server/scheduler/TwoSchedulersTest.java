package dev.outpost.server.scheduler;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.OutpostServer;
import dev.outpost.server.ServerConfig;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQOptions;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class TwoSchedulersTest {

  /**
   * Verifies that two server instances sweeping one database (and relaying one outbox) move each
   * due activity exactly once: one Scheduled → Queued event each, one queue message each.
   */
  @Test
  void twoInstancesNeverMoveARowTwice(Vertx vertx) {
    Map<String, String> apiOnly = Map.of("OUTPOST_ROLE", "api", "OUTPOST_SWEEP_INTERVAL_MS", "10");
    try (ServerFixture fx = new ServerFixture(vertx, apiOnly, Map.of())) {
      OutpostServer second =
          await(
              OutpostServer.start(
                  vertx,
                  TestSupport.database(),
                  TestSupport.amqpUrl(),
                  ServerConfig.fromEnv(
                      Map.of(
                          "OUTPOST_ROLE",
                          "api",
                          "OUTPOST_JOBS_QUEUE",
                          fx.config.jobs().queue(),
                          "OUTPOST_SWEEP_INTERVAL_MS",
                          "10",
                          "OUTPOST_HTTP_PORT",
                          "0",
                          "OUTPOST_HOME",
                          fx.config.home().toString())),
                  fx.clock,
                  Map.of()));
      List<Long> ids = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        ids.add(
            fx.post(
                    "/activities",
                    new JsonObject()
                        .put("type", "ArchiveRequest")
                        .put("deliver_after", fx.clock.instant().plusSeconds(60).toString())
                        .put("parameters", new JsonObject().put("older_than_days", 1)))
                .bodyAsJsonObject()
                .getLong("id"));
      }

      fx.clock.set(fx.clock.instant().plus(Duration.ofMinutes(2)));

      eventually(
          20,
          () ->
              ids.stream()
                  .allMatch(
                      id ->
                          fx.get("/activities/" + id)
                              .bodyAsJsonObject()
                              .getString("status")
                              .equals("queued")));
      long dueEvents =
          await(
                  fx.server
                      .pool()
                      .preparedQuery(
                          """
              SELECT count(*) FROM activity_events
               WHERE activity_id = ANY($1) AND from_status = 'scheduled' AND to_status = 'queued'
              """)
                      .execute(Tuple.tuple().addArrayOfLong(ids.toArray(Long[]::new))))
              .iterator()
              .next()
              .getLong(0);
      assertThat(dueEvents).isEqualTo(60);
      eventually(20, () -> messages(vertx, fx.config.jobs().queue()) == 60);
      await(second.close());
    }
  }

  private static long messages(Vertx vertx, String queue) {
    RabbitMQClient client =
        RabbitMQClient.create(vertx, new RabbitMQOptions().setUri(TestSupport.amqpUrl()));
    await(client.start());
    try {
      return await(client.messageCount(queue));
    } finally {
      await(client.stop());
    }
  }
}
