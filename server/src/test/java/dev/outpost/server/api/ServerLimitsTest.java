package dev.outpost.server.api;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import dev.outpost.server.db.Database;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the admin API and the HTTP server hold at most for whoever calls them: a statement's time, a
 * place in the pool's wait queue, an idle connection.
 */
@ExtendWith(VertxExtension.class)
class ServerLimitsTest {

  /**
   * Verifies that a listing that runs past the query timeout is stopped and answered 503 naming the
   * setting, and that the timeout stays with that listing: the pool's one connection comes back
   * without it.
   */
  @Test
  void aListingPastTheQueryTimeoutIsStopped(Vertx vertx) {
    try (ServerFixture fx =
        new ServerFixture(
            vertx,
            Map.of(
                "OUTPOST_QUERY_TIMEOUT_MS", "200",
                "OUTPOST_DB_POOL_SIZE", "1"),
            Map.of())) {
      Pool other = Database.pool(vertx, TestSupport.database(), 1);
      SqlConnection locker = await(other.getConnection());
      try {
        // the archive is read only by archived listings and ArchiveRequest: holding it makes the
        // listing wait as long as it is allowed to, whatever the machine's speed
        await(
            locker
                .query("BEGIN; LOCK TABLE activities_archive IN ACCESS EXCLUSIVE MODE")
                .execute());

        HttpResponse<Buffer> answer =
            await(
                fx.api(io.vertx.core.http.HttpMethod.GET, "/activities?archived=true")
                    .timeout(20_000)
                    .send());

        assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(503);
        assertThat(answer.bodyAsJsonObject().getString("error")).isEqualTo("query-timeout");
        assertThat(answer.bodyAsJsonObject().getString("message"))
            .contains("200 ms", "OUTPOST_QUERY_TIMEOUT_MS");
      } finally {
        await(locker.query("ROLLBACK").execute());
        await(locker.close());
        await(other.close());
      }
      assertThat(
              await(fx.server.pool().query("SHOW statement_timeout").execute())
                  .iterator()
                  .next()
                  .getString(0))
          .isEqualTo("0");
      assertThat(fx.get("/activities?archived=true").statusCode()).isEqualTo(200);
    }
  }

  /**
   * Verifies that once the pool's wait queue is full an admin request is answered 503 with
   * Retry-After at once, and served again once connections are free.
   */
  @Test
  void aFullPoolWaitQueueAnswers503WithRetryAfter(Vertx vertx) {
    try (ServerFixture fx =
        new ServerFixture(
            vertx,
            Map.of(
                "OUTPOST_DB_POOL_SIZE", "1",
                "OUTPOST_DB_MAX_WAIT_QUEUE", "1"),
            Map.of())) {
      // the server's own work (the outbox relay, the sweeps) may hold the one connection and have
      // one waiter already, which refuses this taker: ask again until it gets the connection
      AtomicReference<SqlConnection> taken = new AtomicReference<>();
      TestSupport.eventually(
          20,
          () -> {
            try {
              taken.set(await(fx.server.pool().getConnection()));
              return true;
            } catch (RuntimeException refused) {
              return false;
            }
          });
      SqlConnection held = taken.get();
      // one waiter fills the queue: this one, or one of the server's own (the outbox relay
      // polls), in which case this one is refused; either way the queue stays full
      Future<SqlConnection> waiting = fx.server.pool().getConnection();
      HttpResponse<Buffer> busy;
      try {
        busy = fx.get("/activities");
      } finally {
        await(held.close());
      }
      waiting.onSuccess(SqlConnection::close);

      assertThat(busy.statusCode()).as(busy.bodyAsString()).isEqualTo(503);
      assertThat(busy.getHeader("Retry-After")).isEqualTo("1");
      assertThat(busy.bodyAsJsonObject().getString("error")).isEqualTo("busy");
      assertThat(busy.bodyAsJsonObject().getString("message"))
          .contains("OUTPOST_DB_MAX_WAIT_QUEUE");
      TestSupport.eventually(10, () -> fx.get("/activities").statusCode() == 200);
    }
  }

  /** Verifies that the HTTP server closes a connection on which nothing is sent. */
  @Test
  void anIdleConnectionIsClosed(Vertx vertx) {
    try (ServerFixture fx =
        new ServerFixture(vertx, Map.of("OUTPOST_HTTP_IDLE_TIMEOUT_SECONDS", "1"), Map.of())) {
      NetSocket socket = await(vertx.createNetClient().connect(fx.server.httpPort(), "127.0.0.1"));
      Promise<Void> closed = Promise.promise();
      socket.closeHandler(nothing -> closed.tryComplete());

      await(closed.future().timeout(20, java.util.concurrent.TimeUnit.SECONDS));

      assertThat(closed.future().succeeded()).isTrue();
    }
  }
}
