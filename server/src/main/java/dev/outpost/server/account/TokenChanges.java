package dev.outpost.server.account;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the token cache of every change to admin tokens, made by any instance: a trigger on {@code
 * admin_tokens} notifies {@value #CHANNEL}, and this process listens on a connection of its own.
 * While that connection is down the cache answers nothing; it reconnects every {@value
 * #RETRY_MILLIS} ms.
 */
public final class TokenChanges {

  /** The channel the {@code admin_tokens} trigger notifies (migration V8). */
  static final String CHANNEL = "outpost_admin_tokens";

  private static final long RETRY_MILLIS = 1_000;
  private static final Logger LOG = LoggerFactory.getLogger(TokenChanges.class);

  private final Vertx vertx;
  private final PgConnectOptions db;
  private final TokenCache cache;
  private volatile boolean closed;
  private volatile PgConnection connection;

  private TokenChanges(Vertx vertx, PgConnectOptions db, TokenCache cache) {
    this.vertx = vertx;
    this.db = db;
    this.cache = cache;
  }

  /**
   * Starts listening; the future completes once the first attempt did, so that a server that starts
   * listening is informed from its first request. A failed attempt is retried.
   */
  public static Future<TokenChanges> start(Vertx vertx, PgConnectOptions db, TokenCache cache) {
    TokenChanges changes = new TokenChanges(vertx, db, cache);
    if (!cache.enabled()) {
      return Future.succeededFuture(changes);
    }
    return changes.listen().otherwiseEmpty().map(changes);
  }

  private Future<Void> listen() {
    return PgConnection.connect(vertx, db)
        .compose(
            conn -> {
              // the handlers go on once listening: a connection closed because LISTEN failed is
              // retried once, below, and not once more as a lost one
              return conn.query("LISTEN " + CHANNEL)
                  .execute()
                  .onFailure(e -> conn.close())
                  .map(
                      listening -> {
                        conn.notificationHandler(notice -> cache.invalidate());
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
                cache.informed(true);
              }
            })
        .onFailure(
            e -> {
              LOG.warn(
                  "cannot listen for admin token changes, retrying [cause: {}]", e.getMessage());
              retry();
            })
        .mapEmpty();
  }

  private void lost() {
    cache.informed(false);
    connection = null;
    if (!closed) {
      LOG.warn("lost the connection listening for admin token changes, reconnecting");
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
    cache.informed(false);
    PgConnection conn = connection;
    return conn == null ? Future.succeededFuture() : conn.close();
  }
}
