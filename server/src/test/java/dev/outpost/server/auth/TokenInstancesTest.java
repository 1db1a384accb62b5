package dev.outpost.server.auth;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two servers over one database, each caching tokens: what one does to a token, the other sees at
 * once. The clocks stand still, so no cache entry expires by itself: only the notice the token
 * table's trigger sends can make the second server refuse a token it has cached.
 */
@ExtendWith(VertxExtension.class)
class TokenInstancesTest {

  private static final Logger LOG = LoggerFactory.getLogger(TokenInstancesTest.class);

  /**
   * Verifies that a token revoked through one server is refused by the other, which had it cached,
   * by the notice and not by the cache's time to live (the notice takes milliseconds; the log line
   * says how long it took here).
   */
  @Test
  void aRevocationReachesTheOtherInstance(Vertx vertx) {
    try (ServerFixture one = new ServerFixture(vertx);
        ServerFixture two = new ServerFixture(vertx)) {
      JsonObject created = created(one, null);
      String secret = created.getString("secret");
      assertThat(status(two, secret)).as("cached on the second").isEqualTo(200);
      assertThat(status(two, secret)).isEqualTo(200);

      long revokedAt = System.nanoTime();
      assertThat(
              await(one.api(HttpMethod.DELETE, "/tokens/" + created.getLong("id")).send())
                  .statusCode())
          .isEqualTo(204);

      eventually(10, () -> status(two, secret) == 401);
      LOG.info(
          "revocation seen by the second instance [after: {} ms]",
          (System.nanoTime() - revokedAt) / 1_000_000);
      assertThat(status(one, secret)).isEqualTo(401);
    }
  }

  /** Verifies that a token past its expiry is refused by both servers, cached or not. */
  @Test
  void anExpiredTokenIsRefusedEverywhere(Vertx vertx) {
    try (ServerFixture one = new ServerFixture(vertx);
        ServerFixture two = new ServerFixture(vertx)) {
      Instant expires = one.clock.instant().plus(Duration.ofMinutes(10));
      String secret = created(one, expires).getString("secret");
      assertThat(status(one, secret)).isEqualTo(200);
      assertThat(status(two, secret)).isEqualTo(200);

      one.clock.set(expires);
      two.clock.set(expires);

      assertThat(status(one, secret)).isEqualTo(401);
      assertThat(status(two, secret)).isEqualTo(401);
    }
  }

  private static JsonObject created(ServerFixture fx, Instant expires) {
    JsonObject body =
        new JsonObject().put("name", "shared").put("roles", new JsonArray().add("viewer"));
    if (expires != null) {
      body.put("expires_at", expires.toString());
    }
    var response = fx.post("/tokens", body);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return response.bodyAsJsonObject();
  }

  private static int status(ServerFixture fx, String token) {
    return await(fx.http.get("/api/v2/activities").bearerTokenAuthentication(token).send())
        .statusCode();
  }
}
