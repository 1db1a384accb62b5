package dev.outpost.server.account;

import dev.outpost.server.db.Notices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;

/**
 * Tells the token cache of every change to admin tokens, made by any instance: a trigger on {@code
 * admin_tokens} notifies {@value #CHANNEL}, and this process listens ({@link Notices}). While that
 * connection is down the cache answers nothing.
 */
public final class TokenChanges {

  /** The channel the {@code admin_tokens} trigger notifies (migration V8). */
  static final String CHANNEL = "outpost_admin_tokens";

  private final Notices notices;

  private TokenChanges(Notices notices) {
    this.notices = notices;
  }

  /**
   * Starts listening; the future completes once the first attempt did, so that a server that starts
   * listening is informed from its first request. A failed attempt is retried.
   */
  public static Future<TokenChanges> start(Vertx vertx, PgConnectOptions db, TokenCache cache) {
    if (!cache.enabled()) {
      return Future.succeededFuture(new TokenChanges(null));
    }
    return Notices.start(vertx, db, CHANNEL, cache::invalidate, cache::informed)
        .map(TokenChanges::new);
  }

  /** Stops listening. */
  public Future<Void> close() {
    return notices == null ? Future.succeededFuture() : notices.close();
  }
}
