package dev.outpost.server.api;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.outpost.server.LogCapture;
import dev.outpost.server.db.Database;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class HealthTest {

  /**
   * Verifies that /health answers 503 when the database does not answer, with a fixed body that
   * says nothing of the error, and logs the cause. GIVEN a pool whose database refuses connections,
   * WHEN /health is asked, THEN it answers 503 {"status": "unavailable", "database": "unavailable"}
   * and the log names the refused connection.
   */
  @Test
  void answers503WithoutADatabase(Vertx vertx) {
    var pool =
        Database.pool(
            vertx,
            new PgConnectOptions()
                .setHost("127.0.0.1")
                .setPort(1)
                .setUser("nobody")
                .setDatabase("none"),
            1);
    HttpVerticle http =
        new HttpVerticle(
            0,
            dev.outpost.server.tls.Listeners.defaults(),
            1024,
            dev.outpost.server.ServerConfig.Limits.defaults(),
            () -> Database.answers(pool),
            List.of(),
            List.of());
    await(vertx.deployVerticle(http));

    try (LogCapture log = new LogCapture(Level.WARN)) {
      var response =
          await(WebClient.create(vertx).get(http.actualPort(), "127.0.0.1", "/health").send());

      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.bodyAsJsonObject())
          .isEqualTo(new JsonObject().put("status", "unavailable").put("database", "unavailable"));
      assertThat(log.lines())
          .anySatisfy(
              line ->
                  assertThat(line)
                      .contains("health check failed")
                      .contains("127.0.0.1")
                      .contains(":1"));
    }
  }
}
