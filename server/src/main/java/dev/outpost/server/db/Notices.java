package dev.outpost.server.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on one PostgreSQL notification channel, on a connection of its own that every reader in
 * this process shares. While that connection is down no notice arrives, which the listener is told
 * ({@code listening(false)}); it reconnects every {@value #RETRY_MILLIS} ms and says so again.
 */
public final class Notices {

  private static final long RETRY_MILLIS = 1_000;
  private static final Logger LOG = LoggerFactory.getLogger(Notices.class);

  private final Vertx vertx;
  private final PgConnectOptions db;
  private final String channel;
  private final Runnable notified;
  private final Consumer<Boolean> listening;
  private volatile boolean closed;
  private volatile PgConnection connection;

  private Notices(
      Vertx vertx,
      PgConnectOptions db,
      String channel,
      Runnable notified,
      Consumer<Boolean> listening) {
    this.vertx = vertx;
    this.db = db;
    this.channel = channel;
    this.notified = notified;
    this.listening = listening;
  }

  /**
   * Starts listening on {@code channel} (a fixed identifier, never a value from outside); the
   * future completes once the first attempt did, so a process that starts listening is informed
   * from its first request. A failed attempt is retried.
   *
   * @param notified run on each notice
   * @param listening told when notices start reaching this process, and when they stop
   */
  public static Future<Notices> start(
      Vertx vertx,
      PgConnectOptions db,
      String channel,
      Runnable notified,
      Consumer<Boolean> listening) {
    Notices notices = new Notices(vertx, db, channel, notified, listening);
    return notices.listen().otherwiseEmpty().map(notices);
  }

  private Future<Void> listen() {
    return PgConnection.connect(vertx, db)
        .compose(
            conn -> {
              // the handlers go on once listening: a connection closed because LISTEN failed is
              // retried once, below, and not once more as a lost one
              return conn.query("LISTEN " + channel)
                  .execute()
                  .onFailure(e -> conn.close())
                  .map(
                      listened -> {
                        conn.notificationHandler(notice -> notified.run());
                        conn.closeHandler(v -> lost());
                        return conn;
                      });
            })
        .onSuccess(
            conn -> {
              connection = conn;
              if (closed) {
                conn.close();
              } else {
                listening.accept(true);
              }
            })
        .onFailure(
            e -> {
              LOG.warn("cannot listen, retrying [channel: {}, cause: {}]", channel, e.getMessage());
              retry();
            })
        .mapEmpty();
  }

  private void lost() {
    listening.accept(false);
    connection = null;
    if (!closed) {
      LOG.warn("lost the connection listening, reconnecting [channel: {}]", channel);
      retry();
    }
  }

  private void retry() {
    if (!closed) {
      vertx.setTimer(
          RETRY_MILLIS,
          t -> {
            if (!closed) {
              listen();
            }
          });
    }
  }

  /** Stops listening. */
  public Future<Void> close() {
    closed = true;
    listening.accept(false);
    PgConnection conn = connection;
    return conn == null ? Future.succeededFuture() : conn.close();
  }
}
