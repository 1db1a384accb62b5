package dev.outpost.server;

import dev.outpost.server.db.Database;
import dev.outpost.server.embedded.EmbeddedBroker;
import dev.outpost.server.embedded.EmbeddedDatabase;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the Outpost server from {@code OUTPOST_*} environment variables. */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  /** Entry point: starts everything, prints how to reach it, stops cleanly on SIGTERM. */
  public static void main(String[] args) throws Exception {
    ServerConfig config;
    try {
      config = ServerConfig.fromEnv(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("outpost: " + e.getMessage());
      System.exit(2);
      return;
    }
    List<AutoCloseable> toClose = new ArrayList<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> closeAll(toClose), "outpost-shutdown"));
    try {
      start(config, toClose);
    } catch (Exception e) {
      // Exiting runs the shutdown hook, which stops whatever did start (the embedded services).
      LOG.error("outpost could not start", e);
      Throwable cause =
          e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
              ? e.getCause()
              : e;
      System.err.println("outpost: could not start: " + cause.getMessage());
      System.exit(1);
    }
  }

  private static void start(ServerConfig config, List<AutoCloseable> toClose) throws Exception {
    Credentials credentials = Credentials.resolve(config);
    String dbUrl =
        config
            .dbUrl()
            .orElseGet(
                () -> {
                  EmbeddedDatabase embedded =
                      EmbeddedDatabase.start(config.home(), credentials.databasePassword());
                  toClose.add(embedded);
                  return embedded.url();
                });
    PgConnectOptions db = Database.connectOptions(dbUrl);

    String amqpUrl =
        config
            .jobs()
            .amqpUrl()
            .orElseGet(
                () -> {
                  EmbeddedBroker embedded =
                      EmbeddedBroker.start(config.home(), credentials.brokerPassword());
                  toClose.add(embedded);
                  return embedded.amqpUrl();
                });
    // Opened after the embedded services, so closed before them.
    Vertx vertx = Vertx.vertx();
    toClose.add(
        () -> vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    OutpostServer server =
        OutpostServer.start(vertx, db, amqpUrl, config, Clock.systemUTC(), Map.of())
            .compose(
                started ->
                    started
                        .accounts()
                        .ensureAccount(
                            ServerConfig.BOOTSTRAP_ACCOUNT,
                            credentials.registrationKey(),
                            "bootstrap",
                            credentials.adminToken())
                        .map(started))
            .toCompletionStage()
            .toCompletableFuture()
            .get(120, TimeUnit.SECONDS);
    // Closed first: its verticles finish their work while the pool and the broker are there.
    toClose.add(
        () -> server.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
    if (config.role().runsHttp()) {
      printBanner(server.httpPort(), credentials);
    } else {
      // a job-handler serves no HTTP: it has no port to name
      System.out.printf(
          "%nOutpost is running: a job-handler [queue: %s].%n%n", config.jobs().queue());
    }
  }

  private static void printBanner(int port, Credentials credentials) {
    String url = "http://127.0.0.1:" + port;
    System.out.printf(
        """

        Outpost is running.
          admin API:        %1$s/api/v2
          message system:   %1$s/message-system
          ping:             %1$s/ping
          account:          %2$s
          registration key: %3$s
          admin token:      %4$s

          try: curl -H "Authorization: Bearer %4$s" %1$s/api/v2/activities

        """,
        url,
        ServerConfig.BOOTSTRAP_ACCOUNT,
        credentials.registrationKey(),
        credentials.adminToken());
  }

  /** Closes in reverse order of opening: the server before the database under it. */
  private static void closeAll(List<AutoCloseable> toClose) {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      try {
        toClose.get(i).close();
      } catch (Exception e) {
        LOG.warn("shutdown step failed", e);
      }
    }
    LOG.info("outpost stopped");
  }
}
