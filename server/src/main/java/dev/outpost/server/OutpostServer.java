package dev.outpost.server;

import dev.outpost.server.account.AccountStore;
import dev.outpost.server.account.AdministratorStore;
import dev.outpost.server.account.AuditLog;
import dev.outpost.server.account.Passwords;
import dev.outpost.server.account.TokenCache;
import dev.outpost.server.account.TokenChanges;
import dev.outpost.server.activity.ActivityArchive;
import dev.outpost.server.activity.ActivityOutput;
import dev.outpost.server.activity.ActivityService;
import dev.outpost.server.activity.ActivityStore;
import dev.outpost.server.activity.OutputListener;
import dev.outpost.server.api.Access;
import dev.outpost.server.api.AdminApi;
import dev.outpost.server.api.AuthApi;
import dev.outpost.server.api.EventsApi;
import dev.outpost.server.api.HttpVerticle;
import dev.outpost.server.api.OpenApi;
import dev.outpost.server.api.OutputApi;
import dev.outpost.server.api.PackagesApi;
import dev.outpost.server.api.ScriptApi;
import dev.outpost.server.channel.Channels;
import dev.outpost.server.computer.ComputerEdits;
import dev.outpost.server.computer.ComputerRemoval;
import dev.outpost.server.computer.ComputerReports;
import dev.outpost.server.computer.ComputerSelection;
import dev.outpost.server.computer.ComputerStore;
import dev.outpost.server.console.Console;
import dev.outpost.server.db.Database;
import dev.outpost.server.db.Notices;
import dev.outpost.server.events.EventLog;
import dev.outpost.server.events.EventStreams;
import dev.outpost.server.events.WebhookStore;
import dev.outpost.server.events.WebhookVerticle;
import dev.outpost.server.exchange.ExchangeApi;
import dev.outpost.server.exchange.MessageSystem;
import dev.outpost.server.health.Backlog;
import dev.outpost.server.health.Health;
import dev.outpost.server.health.ProbesVerticle;
import dev.outpost.server.http.FailedAttempts;
import dev.outpost.server.http.RequestIds;
import dev.outpost.server.jobs.JobHandler;
import dev.outpost.server.jobs.JobHandlerVerticle;
import dev.outpost.server.jobs.JobHandlers;
import dev.outpost.server.jobs.OutboxRelay;
import dev.outpost.server.jobs.handlers.ArchiveHandler;
import dev.outpost.server.jobs.handlers.RemoveComputerHandler;
import dev.outpost.server.jobs.handlers.SyncPocketHandler;
import dev.outpost.server.jobs.handlers.UsgReportHandler;
import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.net.OutboundAddresses;
import dev.outpost.server.packages.PackageLists;
import dev.outpost.server.scheduler.Scheduler;
import dev.outpost.server.scheduler.SchedulerVerticle;
import dev.outpost.server.scheduler.ScriptSweeps;
import dev.outpost.server.script.ProfileStore;
import dev.outpost.server.script.ScriptStore;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The server's components wired together: the pool, the stores, the HTTP front, the outbox relay
 * and the job-handler, as the role asks. Tests start it the way {@link Main} does, with their own
 * database, queue and clock.
 */
public final class OutpostServer {

  private final Vertx vertx;
  private final Pool pool;
  private final AccountStore accounts;
  private final ActivityStore activities;
  private final ComputerStore computers;
  private final ComputerSelection computerSelection;
  private final ActivityService activityService;
  private final ScriptStore scripts;
  private final ProfileStore profiles;
  private final Clock clock;
  private final ServerMetrics metrics = new ServerMetrics();
  private final TokenCache tokens;
  private final AdministratorStore administrators;
  private final AuditLog audit;
  private Passwords passwords;

  /** The HTTP verticles, one per instance; they share one port. */
  private final List<HttpVerticle> http = new java.util.concurrent.CopyOnWriteArrayList<>();

  private final WebhookStore webhooks;
  private EventStreams streams;
  private WebhookVerticle webhookSender;
  private OutputListener outputListener;
  private Notices notices;
  private Channels channels;
  private JobHandlerVerticle jobHandler;
  private OutboxRelay relay;
  private Health health;
  private Backlog backlog;
  private ProbesVerticle probes;
  private final String schemaVersion;
  private final List<String> deployments = new java.util.concurrent.CopyOnWriteArrayList<>();

  private OutpostServer(
      Vertx vertx,
      Pool pool,
      Clock clock,
      TokenCache tokens,
      ServerConfig.Limits limits,
      String schemaVersion) {
    this.vertx = vertx;
    this.schemaVersion = schemaVersion;
    this.pool = pool;
    this.clock = clock;
    this.tokens = tokens;
    Duration queryTimeout = Duration.ofMillis(limits.queryTimeoutMs());
    this.accounts = new AccountStore(pool, clock, tokens);
    this.activities = new ActivityStore(pool, clock, queryTimeout);
    this.computers = new ComputerStore(pool, clock, queryTimeout);
    this.computerSelection = new ComputerSelection(pool, clock, queryTimeout, limits.maxTargets());
    this.activityService =
        new ActivityService(
            activities, accounts, clock, metrics, limits, computerSelection::resolve);
    this.scripts = new ScriptStore(pool, clock, limits);
    this.profiles = new ProfileStore(pool, clock, limits.maxScriptProfiles());
    this.webhooks = new WebhookStore(pool);
    this.administrators = new AdministratorStore(pool, clock);
    this.audit = new AuditLog(pool, metrics.registry().counter("outpost.audit.dropped"));
  }

  /**
   * Migrates the schema, then starts what the role runs.
   *
   * @param db connection options of the database (migrated before anything else runs)
   * @param amqpUrl the broker of the job queue
   * @param handlers job handlers replacing the built-in ones by activity type (tests use this)
   */
  public static Future<OutpostServer> start(
      Vertx vertx,
      PgConnectOptions db,
      String amqpUrl,
      ServerConfig config,
      Clock clock,
      Map<String, JobHandler> handlers) {
    return vertx
        .executeBlocking(() -> Database.migrate(db))
        .map(
            schemaVersion ->
                new OutpostServer(
                    vertx,
                    Database.pool(vertx, db, config.dbPoolSize(), config.limits().dbMaxWaitQueue()),
                    clock,
                    new TokenCache(clock, Duration.ofSeconds(config.tokenCacheSeconds())),
                    config.limits(),
                    schemaVersion))
        .compose(server -> server.deploy(db, config, amqpUrl, handlers).map(server));
  }

  private Future<Void> deploy(
      PgConnectOptions db, ServerConfig config, String amqpUrl, Map<String, JobHandler> handlers) {
    // Checked in every role, before anything runs: a handler missing is a build that is wrong.
    Map<String, JobHandler> all;
    try {
      all = jobHandlers(config.fetch(), handlers);
    } catch (IllegalStateException e) {
      return pool.close().transform(closed -> Future.failedFuture(e));
    }
    ServerConfig.JobsConfig jobs = config.jobs();
    // read before anything else takes the pool's connections: a small pool's wait queue is full
    // once the sweeps, the relay and the webhook sender are running
    Future<String> serverUuid =
        config.role().runsHttp() ? MessageSystem.serverUuid(pool) : Future.succeededFuture();
    relay = new OutboxRelay(pool, clock, amqpUrl, jobs.queue(), 100, jobs.perAccount());
    health = new Health(() -> Database.schemaApplied(pool, schemaVersion), relay::brokerConnected);
    backlog =
        new Backlog(
            pool, clock, Duration.ofSeconds(config.resultDeadlineSeconds()), metrics.registry());
    Future<String> relayed =
        serverUuid.compose(uuid -> vertx.deployVerticle(relay)).onSuccess(deployments::add);
    Scheduler scheduler =
        new Scheduler(
            pool,
            activities,
            clock,
            Duration.ofSeconds(jobs.timeoutSeconds()),
            Duration.ofSeconds(config.resultDeadlineSeconds()));
    ScriptSweeps scriptSweeps = new ScriptSweeps(pool, clock, computerSelection, metrics);
    Future<String> swept =
        relayed
            .compose(
                r ->
                    vertx.deployVerticle(
                        new SchedulerVerticle(
                            () ->
                                scheduler.sweep().compose(moved -> scriptSweeps.sweep().map(moved)),
                            config.sweepIntervalMs(),
                            metrics.scheduled())))
            .onSuccess(deployments::add);
    streams =
        new EventStreams(
            vertx,
            pool,
            new EventStreams.Settings(
                config.events().maxStreams(),
                config.events().maxStreamsPerAccount(),
                config.events().keepalive(),
                config.events().streamBufferBytes()),
            metrics.eventsStreamed());
    webhookSender = new WebhookVerticle(webhooks, clock, config.events(), config.fetch(), metrics);
    Future<Void> events =
        swept
            .compose(r -> vertx.deployVerticle(webhookSender))
            .onSuccess(deployments::add)
            .mapEmpty();
    Future<?> http =
        config.role().runsHttp()
            ? events
                .compose(r -> listen(db, config, true))
                .compose(listening -> deployHttp(config, serverUuid.result()))
            : events
                .compose(r -> listen(db, config, false))
                .compose(
                    listening -> {
                      probes =
                          new ProbesVerticle(
                              config.healthPort(),
                              health,
                              () -> Database.answers(pool),
                              this::mountMetrics);
                      return vertx.deployVerticle(probes).onSuccess(deployments::add);
                    });
    if (!config.role().runsJobs()) {
      return http.mapEmpty();
    }
    jobHandler =
        new JobHandlerVerticle(
            pool,
            clock,
            new JobHandlerVerticle.Settings(
                amqpUrl,
                jobs.queue(),
                jobs.prefetch(),
                Duration.ofSeconds(jobs.leaseSeconds()),
                jobs.maxAttempts(),
                storage(config)),
            all,
            metrics);
    return http.compose(
            h ->
                vertx.deployVerticle(
                    jobHandler, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)))
        .onSuccess(deployments::add)
        .mapEmpty();
  }

  /**
   * The built-in handlers, those given replacing them by activity type, checked against the
   * server-kind types.
   *
   * @throws IllegalStateException naming a server-kind type without a handler, or a name that is no
   *     server-kind type
   */
  Map<String, JobHandler> jobHandlers(
      ServerConfig.FetchConfig fetch, Map<String, JobHandler> replacing) {
    Map<String, JobHandler> all = new HashMap<>(builtInHandlers(fetch));
    all.putAll(replacing);
    return JobHandlers.checked(all);
  }

  /** The handlers of the server activity types, each over the stores it needs. */
  Map<String, JobHandler> builtInHandlers(ServerConfig.FetchConfig fetch) {
    return Map.of(
        "ArchiveRequest",
        new ArchiveHandler(new ActivityArchive(pool)),
        "RemoveComputerActivity",
        new RemoveComputerHandler(new ComputerRemoval(pool, activities)),
        "SyncPocketRequest",
        new SyncPocketHandler(fetch),
        "GenerateUsgReportActivity",
        new UsgReportHandler(new ComputerReports(pool)));
  }

  /** Where server activities keep their files. */
  public static Path storage(ServerConfig config) {
    return config.home().resolve("storage");
  }

  /**
   * Listens for what other instances tell the HTTP front: changes to admin tokens (when they are
   * cached) and nudges for the agents whose channels this process holds.
   */
  /**
   * Starts this process's one connection listening for notices: of events (streams and webhooks) in
   * every role; with the HTTP front, of nudges for the agents' channels, of admin token changes and
   * of activities' output.
   */
  private Future<Void> listen(PgConnectOptions db, ServerConfig config, boolean front) {
    Map<String, Notices.Subscriber> subscribers = new HashMap<>();
    subscribers.put(
        EventLog.CHANNEL,
        new Notices.Subscriber() {
          @Override
          public void notice(String payload) {
            streams.notified();
            webhookSender.notified();
            if (outputListener != null) { // an activity someone follows may have ended
              outputListener.logged();
            }
          }

          @Override
          public void listening(boolean listening) {
            // notices reach this instance again, or stopped: what they missed is read
            streams.listening(listening);
            if (listening) {
              webhookSender.notified();
            }
          }
        });
    if (front) {
      channels =
          new Channels(
              vertx,
              config.limits().channels(),
              config.limits().channelKeepaliveMillis(),
              metrics.registry());
      subscribers.put(Channels.CHANNEL, channels);
      outputListener = new OutputListener(vertx, new ActivityOutput(pool));
      subscribers.put(ActivityOutput.CHANNEL, outputListener);
      if (tokens.enabled()) {
        subscribers.put(TokenChanges.CHANNEL, new TokenChanges(tokens));
      }
    }
    return Notices.start(vertx, db, subscribers)
        .map(
            started -> {
              notices = started;
              return null;
            });
  }

  private Future<String> deployHttp(ServerConfig config, String uuid) {
    ServerConfig.Limits limits = config.limits();
    FailedAttempts failedAttempts =
        new FailedAttempts(
            clock,
            limits.failedAttemptsPerMinute(),
            config.auth().failedAttemptsPerAccountPerMinute(),
            metrics.registry());
    Access access = new Access(audit, clock);
    passwords = new Passwords(vertx, config.auth().passwordThreads());
    AuthApi auth =
        new AuthApi(
            accounts,
            administrators,
            passwords,
            audit,
            failedAttempts,
            access,
            clock,
            config.auth().sessionLifetime());
    AdminApi api =
        new AdminApi(
            accounts,
            activities,
            activityService,
            computers,
            computerSelection,
            new ComputerEdits(pool, computerSelection, computers, config.limits().maxTags()),
            scripts,
            storage(config),
            clock,
            Duration.ofSeconds(config.resultDeadlineSeconds()),
            config.limits().maxOffset(),
            access,
            new OutputApi(new ActivityOutput(pool), outputListener, limits.outputFollowers()),
            channels::holds);

    ScriptApi scriptApi =
        new ScriptApi(
            scripts,
            profiles,
            activities,
            clock,
            Duration.ofSeconds(config.resultDeadlineSeconds()),
            access);
    PackagesApi packagesApi =
        new PackagesApi(new PackageLists(pool), access, config.limits().maxOffset());
    ExchangeApi exchange =
        new ExchangeApi(
            new MessageSystem(
                pool,
                clock,
                uuid,
                metrics,
                config.exchangeBatches(),
                new MessageSystem.Waiting(limits.waitingExchanges(), limits.waitingBytes()),
                config.publicUrl(),
                limits.maxOutputChars(),
                limits.maxTags()),
            failedAttempts,
            channels);
    List<java.util.function.Consumer<io.vertx.ext.web.Router>> gates =
        List.of(RequestIds::mount, OpenApi::gate, auth::gate, exchange::gate);
    EventsApi events =
        new EventsApi(
            streams,
            webhooks,
            new OutboundAddresses(config.fetch().allowedPrivate()),
            clock,
            config.events().maxWebhooks(),
            access);
    List<java.util.function.Consumer<io.vertx.ext.web.Router>> mounts =
        List.of(
            auth::mount,
            api::mount,
            scriptApi::mount,
            packagesApi::mount,
            events::mount,
            // last of the API's: a route of it that declares no permission stops the start
            Access::checkDeclared,
            exchange::mount,
            health::mount,
            this::mountMetrics,
            new Console()::mount);
    // Every instance gets its own router and event loop, and Vert.x spreads connections
    // over
    // them; they share the stores and APIs (final fields, the pool, the token cache: all
    // safe from any thread), the metrics (Micrometer's are) and the message system, whose
    // exchange queue takes a lock and answers each exchange on the context that asked.
    // Only servers asking for the same port share it, so a random port (0) of plain HTTP or
    // HTTPS gets one instance.
    boolean randomPort =
        config.httpPort() == 0 || config.listeners().https() && config.listeners().httpsPort() == 0;
    int instances = randomPort ? 1 : config.httpInstances();
    return vertx
        .deployVerticle(
            () -> {
              HttpVerticle instance =
                  new HttpVerticle(
                      config.httpPort(),
                      config.listeners(),
                      config.maxBodyBytes(),
                      config.limits(),
                      () -> Database.answers(pool),
                      gates,
                      mounts);
              http.add(instance);
              return instance;
            },
            new DeploymentOptions().setInstances(instances))
        .onSuccess(deployments::add);
  }

  /**
   * Adds {@code GET /metrics}, Prometheus's text format, to {@code router}; the backlog's gauges
   * are read first when their last reading is old.
   */
  private void mountMetrics(io.vertx.ext.web.Router router) {
    router
        .get("/metrics")
        .handler(
            ctx ->
                backlog
                    .fresh()
                    .onComplete(
                        read ->
                            ctx.response()
                                .putHeader(
                                    "Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                                .end(metrics.scrape())));
  }

  /** The port of the health probes and metrics of the {@code job-handler} role; -1 in others. */
  public int healthPort() {
    return probes == null ? -1 : probes.actualPort();
  }

  /** The job-handler of this process, when its role runs one. */
  public JobHandlerVerticle jobHandler() {
    return jobHandler;
  }

  /** The routes of the HTTP front (of its first instance: every instance has the same). */
  public List<io.vertx.ext.web.Route> httpRoutes() {
    return http.get(0).router().getRoutes();
  }

  /** The port the HTTP front listens on. */
  public int httpPort() {
    return http.get(0).actualPort();
  }

  /** The port HTTPS listens on, or -1 when it is not served. */
  public int httpsPort() {
    return http.get(0).actualHttpsPort();
  }

  /** The ports each HTTP instance listens on: one port, however many instances. */
  public List<Integer> httpPorts() {
    return http.stream().map(HttpVerticle::actualPort).toList();
  }

  /** The agents' channels this process holds; null in a role without the HTTP front. */
  public Channels channels() {
    return channels;
  }

  /** The router of the first HTTP instance: every instance has the same routes. */
  public io.vertx.ext.web.Router router() {
    return http.get(0).router();
  }

  /** Administrators, their tokens and sessions. */
  public AdministratorStore administrators() {
    return administrators;
  }

  /** The audit log. */
  public AuditLog audit() {
    return audit;
  }

  /** The shared PostgreSQL pool. */
  public Pool pool() {
    return pool;
  }

  /** Accounts and admin tokens. */
  public AccountStore accounts() {
    return accounts;
  }

  /** The activity store. */
  public ActivityStore activities() {
    return activities;
  }

  /** The computers queries select: what anything targeting "the computers where ..." asks. */
  public ComputerSelection computerSelection() {
    return computerSelection;
  }

  /** The computer store. */
  public ComputerStore computers() {
    return computers;
  }

  /** Undeploys this server's verticles and closes its pool; the caller closes Vert.x. */
  public Future<Void> close() {
    // notices first: a connection closed by what is undeployed is then not taken for a lost one
    Future<Void> quiet = notices == null ? Future.succeededFuture() : notices.close();
    if (channels != null) {
      channels.close();
    }
    if (passwords != null) {
      passwords.close();
    }
    return quiet
        .transform(
            done -> Future.join(deployments.stream().map(vertx::undeploy).toList()).mapEmpty())
        .transform(done -> pool.close());
  }
}
