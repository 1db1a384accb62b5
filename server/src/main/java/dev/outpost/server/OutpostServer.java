package dev.outpost.server;

import dev.outpost.server.account.AccountStore;
import dev.outpost.server.activity.ActivityService;
import dev.outpost.server.activity.ActivityStore;
import dev.outpost.server.api.AdminApi;
import dev.outpost.server.api.HttpVerticle;
import dev.outpost.server.computer.ComputerStore;
import dev.outpost.server.db.Database;
import dev.outpost.server.exchange.ExchangeApi;
import dev.outpost.server.exchange.MessageSystem;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.List;

/**
 * The server's components wired together: the pool, the stores, the HTTP front. Tests start it
 * the way {@link Main} does, with their own database and clock.
 */
public final class OutpostServer {

  private final Vertx vertx;
  private final Pool pool;
  private final AccountStore accounts;
  private final ActivityStore activities;
  private final ComputerStore computers;
  private final ActivityService activityService;
  private final Clock clock;
  private HttpVerticle http;

  private OutpostServer(Vertx vertx, Pool pool, Clock clock) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.accounts = new AccountStore(pool, clock);
    this.activities = new ActivityStore(pool, clock);
    this.computers = new ComputerStore(pool, clock);
    this.activityService = new ActivityService(activities, clock);
  }

  /**
   * Migrates the schema, then starts the HTTP front.
   *
   * @param db connection options of the database (migrated before anything else runs)
   */
  public static Future<OutpostServer> start(Vertx vertx, PgConnectOptions db, ServerConfig config,
      Clock clock) {
    return vertx.executeBlocking(() -> {
          Database.migrate(db);
          return null;
        })
        .map(migrated -> new OutpostServer(vertx, Database.pool(vertx, db, config.dbPoolSize()),
            clock))
        .compose(server -> server.deployHttp(config).map(server));
  }

  private Future<String> deployHttp(ServerConfig config) {
    AdminApi api = new AdminApi(accounts, activities, activityService, computers);
    return MessageSystem.serverUuid(pool).compose(uuid -> {
      ExchangeApi exchange = new ExchangeApi(new MessageSystem(pool, clock, uuid), pool, clock);
      http = new HttpVerticle(config.httpPort(), config.maxBodyBytes(), pool,
          List.of(api::mount, exchange::mount));
      return vertx.deployVerticle(http);
    });
  }

  /** The port the HTTP front listens on. */
  public int httpPort() {
    return http.actualPort();
  }

  /** Accounts and admin tokens. */
  public AccountStore accounts() {
    return accounts;
  }

  /** The activity store. */
  public ActivityStore activities() {
    return activities;
  }

  /** The computer store. */
  public ComputerStore computers() {
    return computers;
  }

  /** Closes the pool; the caller closes Vert.x. */
  public Future<Void> close() {
    return pool.close();
  }
}
