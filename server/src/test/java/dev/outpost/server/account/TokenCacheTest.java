package dev.outpost.server.account;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The admin token cache: a token that changes stops working, however it changed. */
@ExtendWith(VertxExtension.class)
class TokenCacheTest {

  private static ServerFixture fx;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new ServerFixture(vertx, Map.of("OUTPOST_TOKEN_CACHE_SECONDS", "5"), Map.of());
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /**
   * Verifies that a token rotated by this server (a start with a new token of the same name) stops
   * opening the account at once, and the new one opens it.
   *
   * <p>GIVEN a token just used (so cached) WHEN its name gets a new token THEN the old one is
   * refused and the new one accepted.
   */
  @Test
  void aRotatedTokenIsRefusedAtOnce() {
    String old = newToken("rotated");
    assertThat(status(old)).isEqualTo(200);

    String rotated = newToken("rotated");

    assertThat(status(old)).isEqualTo(401);
    assertThat(status(rotated)).isEqualTo(200);
  }

  /**
   * Verifies that a token removed in the database by anyone else (another instance, an operator) is
   * refused soon after, long before its cache entry would expire: the table's trigger tells every
   * server.
   */
  @Test
  void aTokenRemovedElsewhereIsRefusedSoonAfter() {
    String token = newToken("removed");
    assertThat(status(token)).isEqualTo(200);

    await(
        fx.server
            .pool()
            .preparedQuery("DELETE FROM admin_tokens WHERE account_id = $1 AND name = $2")
            .execute(Tuple.of(fx.accountId, "removed")));

    // the clock stands still: only the notice can make the cache forget
    eventually(10, () -> status(token) == 401);
  }

  /**
   * Verifies that a token removed with no notice at all (triggers off) is still refused once its
   * cache entry expires: the time to live bounds how long a removed token keeps working. A server
   * of its own listens only from its start, so the notices of the other tests' token changes, which
   * may still be on their way to the shared server, cannot clear its cache meanwhile.
   */
  @Test
  void aTokenRemovedWithoutNoticeIsRefusedOnceItsEntryExpires(Vertx vertx) {
    try (ServerFixture own =
        new ServerFixture(vertx, Map.of("OUTPOST_TOKEN_CACHE_SECONDS", "5"), Map.of())) {
      String token = newToken(own, "unnoticed");
      assertThat(status(own, token)).isEqualTo(200);

      await(
          own.server
              .pool()
              .withConnection(
                  conn ->
                      conn.query("SET session_replication_role = replica")
                          .execute()
                          .compose(
                              set ->
                                  conn.preparedQuery(
                                          "DELETE FROM admin_tokens WHERE account_id = $1 AND name = $2")
                                      .execute(Tuple.of(own.accountId, "unnoticed")))
                          .compose(
                              deleted ->
                                  conn.query("SET session_replication_role = DEFAULT").execute())));

      assertThat(status(own, token)).as("still cached").isEqualTo(200);
      own.clock.set(own.clock.instant().plus(Duration.ofSeconds(5)));
      assertThat(status(own, token)).isEqualTo(401);
    }
  }

  /** Verifies that a refused token is not remembered as such: once created, it is accepted. */
  @Test
  void anUnknownTokenIsNeverCached() {
    String token = TestSupport.unique("later");
    assertThat(status(token)).isEqualTo(401);

    // a plain INSERT neither clears the cache here nor sends a notice (the trigger is on
    // updates and deletes): only a refusal that was never cached lets the token in
    await(
        fx.server
            .pool()
            .preparedQuery(
                """
            INSERT INTO admin_tokens (account_id, administrator_id, name, token_hash, created_at)
            SELECT $1, min(id), 'later', $2, now() FROM administrators WHERE account_id = $1
            """)
            .execute(Tuple.of(fx.accountId, Buffer.buffer(Secrets.hash(token)))));

    assertThat(status(token)).isEqualTo(200);
  }

  private static String newToken(String name) {
    return newToken(fx, name);
  }

  private static String newToken(ServerFixture server, String name) {
    String token = TestSupport.unique("token-" + name);
    await(
        server
            .server
            .accounts()
            .ensureAccount(server.accountName, server.registrationKey, name, token));
    return token;
  }

  private static int status(String token) {
    return status(fx, token);
  }

  private static int status(ServerFixture server, String token) {
    return await(server.http.get("/api/v2/account").bearerTokenAuthentication(token).send())
        .statusCode();
  }
}
