package dev.outpost.server.api;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import dev.outpost.server.db.Database;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the admin API and the HTTP server hold at most for whoever calls them. */
@ExtendWith(VertxExtension.class)
class ServerLimitsTest {

  /**
   * Verifies that a listing that runs past the query timeout is stopped and answered 503 naming
   * the setting, and that the timeout stays with that listing: the pool's one connection comes
   * back without it.
   */
  @Test
  void aListingPastTheQueryTimeoutIsStopped(Vertx vertx) {
    try (ServerFixture fx = new ServerFixture(vertx, Map.of(
            "OUTPOST_QUERY_TIMEOUT_MS", "200",
            "OUTPOST_DB_POOL_SIZE", "1"), Map.of())) {
      Pool other = Database.pool(vertx, TestSupport.database(), 1);
      SqlConnection locker = await(other.getConnection());
      try {
        // the archive is read only by archived listings and ArchiveRequest: holding it makes the
        // listing wait as long as it is allowed to, whatever the machine's speed
        await(locker.query("BEGIN; LOCK TABLE activities_archive IN ACCESS EXCLUSIVE MODE")
            .execute());

        HttpResponse<Buffer> answer = await(fx.api(io.vertx.core.http.HttpMethod.GET,
                "/activities?archived=true").timeout(20_000).send());

        assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(503);
        assertThat(answer.bodyAsJsonObject().getString("error")).isEqualTo("query-timeout");
        assertThat(answer.bodyAsJsonObject().getString("message"))
            .contains("200 ms", "OUTPOST_QUERY_TIMEOUT_MS");
      } finally {
        await(locker.query("ROLLBACK").execute());
        await(locker.close());
        await(other.close());
      }
      assertThat(await(fx.server.pool().query("SHOW statement_timeout").execute())
          .iterator().next().getString(0)).isEqualTo("0");
      assertThat(fx.get("/activities?archived=true").statusCode()).isEqualTo(200);
    }
  }
}
