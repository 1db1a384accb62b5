package dev.outpost.server;

import dev.outpost.server.db.Database;
import dev.outpost.server.embedded.EmbeddedBroker;
import dev.outpost.server.embedded.EmbeddedDatabase;
import dev.outpost.server.embedded.EmbeddedWatch;
import dev.outpost.server.tls.Listeners;
import dev.outpost.server.tls.LocalCa;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the Outpost server from {@code OUTPOST_*} settings: the configuration file's ({@link
 * ConfigFile}), then the environment's.
 */
public final class Main {

  private Main() {}

  /** Entry point: starts everything, prints how to reach it, stops cleanly on SIGTERM. */
  public static void main(String[] args) throws Exception {
    ServerConfig config;
    try {
      Map<String, String> settings = ConfigFile.settings(System.getenv());
      // before the first logger: logback.xml reads the level and the format
      LogSettings.apply(settings);
      config = ServerConfig.fromEnv(settings);
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
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
      log().error("outpost could not start", e);
      Throwable cause =
          e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
              ? e.getCause()
              : e;
      System.err.println("outpost: could not start: " + cause.getMessage());
      System.exit(1);
    }
  }

  private static void start(ServerConfig given, List<AutoCloseable> toClose) throws Exception {
    Optional<LocalCa.Issued> localCa =
        given.listeners().https()
            ? Optional.empty()
            : Optional.of(LocalCa.ensure(given.home(), certificateNames(given), Clock.systemUTC()));
    ServerConfig config =
        localCa
            .map(
                ca ->
                    given.withListeners(
                        given
                            .listeners()
                            .withCertificate(
                                new Listeners.Certificate(ca.certificate(), ca.key()))))
            .orElse(given);
    Credentials credentials = Credentials.resolve(config);
    List<EmbeddedWatch.Service> embeddedServices = new ArrayList<>();
    String dbUrl =
        config
            .dbUrl()
            .orElseGet(
                () -> {
                  EmbeddedDatabase embedded =
                      EmbeddedDatabase.start(config.home(), credentials.databasePassword());
                  toClose.add(embedded);
                  embeddedServices.add(EmbeddedWatch.Service.of(embedded));
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
                  embeddedServices.add(EmbeddedWatch.Service.of(embedded));
                  return embedded.amqpUrl();
                });
    if (!embeddedServices.isEmpty()) {
      // closed before the services, so that stopping them is not taken for a failure; exiting
      // runs the shutdown hook, which stops what still runs
      toClose.add(EmbeddedWatch.start(embeddedServices, () -> System.exit(1)));
    }
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
      printBanner(config, server, localCa, credentials);
    } else {
      // a job-handler serves no HTTP: it has no port to name
      System.out.printf(
          "%nOutpost is running: a job-handler [queue: %s].%n%n", config.jobs().queue());
    }
  }

  /**
   * The names the local CA's server certificate holds besides localhost, the loopback addresses and
   * the host name: the host of {@code OUTPOST_PUBLIC_URL}, and the address HTTPS listens on when it
   * is one.
   */
  private static List<String> certificateNames(ServerConfig config) {
    List<String> names = new ArrayList<>();
    config.publicUrl().map(url -> URI.create(url).getHost()).ifPresent(names::add);
    String host = config.listeners().httpsHost();
    if (!host.equals("0.0.0.0") && !host.equals("::")) {
      names.add(host);
    }
    return names.stream().map(name -> name.replaceAll("^\\[|\\]$", "")).toList();
  }

  /**
   * Prints how to reach the server; with JSON logs, where a banner would break the one object a
   * line, logs where it listens instead (the secrets stay in the credentials file).
   */
  private static void printBanner(
      ServerConfig config,
      OutpostServer server,
      Optional<LocalCa.Issued> localCa,
      Credentials credentials) {
    String url = "http://" + config.listeners().httpHost() + ":" + server.httpPort();
    // the public URL when it is set (a host the certificate names), else this machine's name
    String https =
        config
            .publicUrl()
            .map(u -> u.replaceAll("/+$", ""))
            .orElseGet(
                () ->
                    "https://" + LocalCa.hostname().orElse("localhost") + ":" + server.httpsPort());
    if (LogSettings.json()) {
      log()
          .info(
              "outpost is running [admin API: {}/api/v2, HTTPS: {}, account: {}, credentials: {},"
                  + " CA certificate: {}, CA fingerprint: {}]",
              url,
              https,
              ServerConfig.BOOTSTRAP_ACCOUNT,
              config.home().resolve("credentials"),
              localCa.map(LocalCa.Issued::caCertificate).orElse(null),
              localCa.map(issued -> "SHA256 " + issued.caFingerprint()).orElse(null));
      return;
    }
    String ca =
        localCa
            .map(
                issued ->
                    String.format(
                        "  CA certificate:   %s%n  CA fingerprint:   SHA256 %s%n",
                        issued.caCertificate(), issued.caFingerprint()))
            .orElse("");
    System.out.printf(
        """

        Outpost is running.
          web console:      %1$s/
          admin API:        %1$s/api/v2
          message system:   %1$s/message-system
          ping:             %1$s/ping
          HTTPS:            %5$s/message-system (port %6$d, agents elsewhere use this)
        %7$s  account:          %2$s
          registration key: %3$s
          admin token:      %4$s

          try: curl -H "Authorization: Bearer %4$s" %1$s/api/v2/activities

        """,
        url,
        ServerConfig.BOOTSTRAP_ACCOUNT,
        credentials.registrationKey(),
        credentials.adminToken(),
        https,
        server.httpsPort(),
        ca);
  }

  /** The logger, made once logging is configured. */
  private static Logger log() {
    return LoggerFactory.getLogger(Main.class);
  }

  /** Closes in reverse order of opening: the server before the database under it. */
  private static void closeAll(List<AutoCloseable> toClose) {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      try {
        toClose.get(i).close();
      } catch (Exception e) {
        log().warn("shutdown step failed", e);
      }
    }
    log().info("outpost stopped");
  }
}
