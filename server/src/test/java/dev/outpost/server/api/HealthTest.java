package dev.outpost.server.api;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.db.Database;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class HealthTest {

  /** Verifies that /health answers 503 when the database does not answer. */
  @Test
  void answers503WithoutADatabase(Vertx vertx) {
    var pool = Database.pool(vertx, new PgConnectOptions().setHost("127.0.0.1").setPort(1)
        .setUser("nobody").setDatabase("none"), 1);
    HttpVerticle http = new HttpVerticle(0, 1024, dev.outpost.server.ServerConfig.Limits.defaults(), pool,
        List.of(), List.of());
    await(vertx.deployVerticle(http));

    var response = await(WebClient.create(vertx).get(http.actualPort(), "127.0.0.1", "/health")
        .send());

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.bodyAsJsonObject().getString("status")).isEqualTo("unavailable");
  }
}
