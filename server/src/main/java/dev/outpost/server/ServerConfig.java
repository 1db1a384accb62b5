package dev.outpost.server;

import dev.outpost.server.net.OutboundAddresses;
import dev.outpost.server.tls.Listeners;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The server's configuration, read from {@code OUTPOST_*} environment variables (README.md has the
 * table).
 *
 * @param httpPort the port of the HTTP server
 * @param httpInstances HTTP verticles sharing that port, each on an event loop of its own
 * @param dbUrl a {@code postgresql://} URL; empty means the embedded PostgreSQL under {@code home}
 * @param home where embedded data and generated credentials are kept
 * @param adminToken the bootstrap admin token; empty means generated (and kept under {@code home})
 * @param registrationKey the bootstrap registration key; empty means generated likewise
 * @param dbPoolSize connections in the PostgreSQL pool
 * @param exchangeBatches batches of message exchanges answered at once, each in a transaction of
 *     its own on a connection of the pool
 * @param maxBodyBytes the largest request body accepted (larger gets 413)
 * @param role which parts this process runs
 * @param jobs the job-handler's settings
 * @param sweepIntervalMs how often the scheduler looks for due, waiting, expired and stale work
 * @param resultDeadlineSeconds how long a delivered client activity may go without a result before
 *     it is shown stale (and, where the account says so, failed)
 * @param tokenCacheSeconds how long an admin token's owner is remembered at most (changes to tokens
 *     clear it sooner); 0 looks every token up
 * @param limits the most admins and the network can make the server do and hold
 * @param fetch what server activities may fetch, from where, and how much
 * @param publicUrl the URL admins and agents reach the server at, told to scripts as {@code
 *     LANDSCAPE_URL}; empty when not configured
 * @param events the bounds of event streams and webhooks
 * @param healthPort the port the {@code job-handler} role serves its health probes and metrics on
 * @param listeners the addresses plain HTTP and HTTPS listen on, and the certificate of HTTPS
 * @param auth sessions, sign-ins and their limits
 */
public record ServerConfig(
    int httpPort,
    int httpInstances,
    Optional<String> dbUrl,
    Path home,
    Optional<String> adminToken,
    Optional<String> registrationKey,
    int dbPoolSize,
    int exchangeBatches,
    long maxBodyBytes,
    Role role,
    JobsConfig jobs,
    int sweepIntervalMs,
    int resultDeadlineSeconds,
    int tokenCacheSeconds,
    Limits limits,
    FetchConfig fetch,
    Optional<String> publicUrl,
    EventsConfig events,
    int healthPort,
    Listeners listeners,
    AuthConfig auth) {

  /** What one process runs: everything, only the HTTP front, or only job-handlers. */
  public enum Role {
    ALL,
    API,
    JOB_HANDLER;

    boolean runsHttp() {
      return this != JOB_HANDLER;
    }

    boolean runsJobs() {
      return this != API;
    }
  }

  /**
   * The job-handler's settings.
   *
   * @param amqpUrl an {@code amqp://} URL of RabbitMQ; empty means the embedded broker
   * @param queue the durable queue server activities are published to
   * @param prefetch unacknowledged messages one job-handler holds at most
   * @param leaseSeconds how long a job-handler may go without renewing its lease
   * @param maxAttempts how many times an activity whose job-handler died is tried
   * @param timeoutSeconds how long a server activity may run unless it says otherwise
   * @param perAccount jobs of one account the outbox relay keeps in the queue or running at most
   */
  public record JobsConfig(
      Optional<String> amqpUrl,
      String queue,
      int prefetch,
      int leaseSeconds,
      int maxAttempts,
      int timeoutSeconds,
      int perAccount) {}

  /**
   * The most admins and the network can make the server do and hold.
   *
   * @param maxTargets computers one request may name
   * @param maxParametersBytes an activity's parameters as JSON, its attachments aside
   * @param maxAttachmentBytes an activity's attachments together, in UTF-8
   * @param maxOffset rows a listing may skip with {@code offset}
   * @param queryTimeoutMs how long one statement of an admin's listing may run; 0 for no limit
   * @param dbMaxWaitQueue requests that may wait for a connection of the pool at once
   * @param httpIdleTimeoutSeconds how long an HTTP connection may stay silent before it is closed
   * @param waitingExchanges message exchanges taken in and not yet answered, at most (more get 503
   *     with Retry-After)
   * @param waitingBytes the payload bytes of those, at most
   * @param unauthenticatedBodyBytes the largest body of a request no credentials admitted (a
   *     registration, a ping, a refused token)
   * @param failedAttemptsPerMinute failed credentials (registration keys, secure-ids, admin tokens)
   *     one address may send in a minute before it gets 429; 0 counts none
   * @param maxScriptAttachmentBytes one file uploaded to a saved script
   * @param maxScriptAttachmentsBytes a saved script's files together
   * @param maxScriptProfiles script profiles one account may keep (archived ones aside)
   * @param maxScripts saved scripts one account may keep (archived ones aside)
   * @param maxTags tags one computer may carry
   * @param maxOutputChars characters of a running activity's output kept as its agent sends it; the
   *     rest is refused, and readers are told it was cut
   * @param outputFollowers clients following activities' output at once, per server instance
   * @param channels agents' channels one server process holds at most (more get 503)
   * @param channelKeepaliveSeconds how often a channel is pinged (see {@link
   *     #channelKeepaliveMillis}); its agent answering none of two pings in a row is closed
   */
  public record Limits(
      int maxTargets,
      int maxParametersBytes,
      int maxAttachmentBytes,
      int maxOffset,
      int queryTimeoutMs,
      int dbMaxWaitQueue,
      int httpIdleTimeoutSeconds,
      int waitingExchanges,
      int waitingBytes,
      int unauthenticatedBodyBytes,
      int failedAttemptsPerMinute,
      int maxScriptAttachmentBytes,
      int maxScriptAttachmentsBytes,
      int maxScriptProfiles,
      int maxScripts,
      int maxTags,
      int maxOutputChars,
      int outputFollowers,
      int channels,
      int channelKeepaliveSeconds) {

    /**
     * How often channels are pinged: every {@code channelKeepaliveSeconds}, or every half of the
     * HTTP idle timeout when that is shorter, so that an idle channel is never closed as an idle
     * connection.
     */
    public long channelKeepaliveMillis() {
      return Math.min(channelKeepaliveSeconds * 1000L, httpIdleTimeoutSeconds * 1000L / 2);
    }

    /** The defaults, as the configuration table gives them. */
    public static Limits defaults() {
      return fromEnv(Map.of());
    }

    static Limits fromEnv(Map<String, String> env) {
      return new Limits(
          intValue(env, "OUTPOST_MAX_TARGETS", 100_000, 1, Integer.MAX_VALUE),
          intValue(env, "OUTPOST_MAX_PARAMETERS_BYTES", 64 * 1024, 1024, Integer.MAX_VALUE),
          intValue(env, "OUTPOST_MAX_ATTACHMENT_BYTES", 1024 * 1024, 0, Integer.MAX_VALUE),
          intValue(env, "OUTPOST_MAX_OFFSET", 10_000, 0, Integer.MAX_VALUE),
          intValue(env, "OUTPOST_QUERY_TIMEOUT_MS", 5_000, 0, Integer.MAX_VALUE),
          intValue(env, "OUTPOST_DB_MAX_WAIT_QUEUE", 1_000, 1, 1_000_000),
          intValue(env, "OUTPOST_HTTP_IDLE_TIMEOUT_SECONDS", 120, 1, 86_400),
          intValue(env, "OUTPOST_EXCHANGE_WAITING", 5_000, 1, 1_000_000),
          intValue(
              env, "OUTPOST_EXCHANGE_WAITING_BYTES", 256 * 1024 * 1024, 1024, Integer.MAX_VALUE),
          intValue(
              env, "OUTPOST_UNAUTHENTICATED_MAX_BODY_BYTES", 256 * 1024, 1024, Integer.MAX_VALUE),
          intValue(env, "OUTPOST_FAILED_ATTEMPTS_PER_MINUTE", 30, 0, 1_000_000),
          intValue(env, "OUTPOST_MAX_SCRIPT_ATTACHMENT_BYTES", 1024 * 1024, 1, Integer.MAX_VALUE),
          intValue(
              env, "OUTPOST_MAX_SCRIPT_ATTACHMENTS_BYTES", 4 * 1024 * 1024, 1, Integer.MAX_VALUE),
          intValue(env, "OUTPOST_MAX_SCRIPT_PROFILES", 1_000, 1, 1_000_000),
          intValue(env, "OUTPOST_MAX_SCRIPTS", 10_000, 1, 10_000_000),
          intValue(env, "OUTPOST_MAX_TAGS", 64, 1, 10_000),
          intValue(env, "OUTPOST_MAX_OUTPUT_CHARS", 1024 * 1024, 0, Integer.MAX_VALUE - 1),
          intValue(env, "OUTPOST_OUTPUT_FOLLOWERS", 1_000, 0, 1_000_000),
          intValue(env, "OUTPOST_CHANNELS", 200_000, 0, 10_000_000),
          intValue(env, "OUTPOST_CHANNEL_KEEPALIVE_SECONDS", 30, 1, 60));
    }
  }

  /**
   * What server activities may fetch (SyncPocketRequest's sources), from where, and how much.
   *
   * @param allowedPrivate address blocks the server's own requests may go to though they are not
   *     public (loopback, private, link-local...); none by default
   * @param connectTimeout how long connecting to a server may take
   * @param idleTimeout how long a request may go without a byte arriving
   * @param pocketRoots local directories pocket sources may lie under; none allows no local source
   * @param pocketMaxBytes bytes one sync may fetch or copy at most
   * @param pocketMaxFiles files one sync may fetch or copy at most
   * @param pocketTimeout how long one sync may take at most
   */
  public record FetchConfig(
      List<String> allowedPrivate,
      Duration connectTimeout,
      Duration idleTimeout,
      List<Path> pocketRoots,
      long pocketMaxBytes,
      int pocketMaxFiles,
      Duration pocketTimeout) {

    /** Copies the lists, so the configuration stays as read. */
    public FetchConfig {
      allowedPrivate = List.copyOf(allowedPrivate);
      pocketRoots = List.copyOf(pocketRoots);
    }
  }

  /**
   * The bounds of event streams and webhooks.
   *
   * @param maxStreams event streams one server serves at once
   * @param maxStreamsPerAccount event streams one account may hold open on one server
   * @param keepalive how often an idle stream is sent a comment
   * @param streamBufferBytes bytes written to a stream and not yet read by its client, at most;
   *     past them the client is cut off
   * @param maxWebhooks webhooks per account
   * @param retryWindow how long a webhook may fail before it is disabled
   * @param firstBackoff the wait before a failed delivery's first retry; each next one doubles it
   * @param deliveryRetention how long finished deliveries are kept in the log
   */
  public record EventsConfig(
      int maxStreams,
      int maxStreamsPerAccount,
      Duration keepalive,
      int streamBufferBytes,
      int maxWebhooks,
      Duration retryWindow,
      Duration firstBackoff,
      Duration deliveryRetention) {

    static EventsConfig fromEnv(Map<String, String> env) {
      return new EventsConfig(
          intValue(env, "OUTPOST_EVENT_STREAMS", 1_000, 0, 1_000_000),
          intValue(env, "OUTPOST_EVENT_STREAMS_PER_ACCOUNT", 20, 0, 1_000_000),
          Duration.ofSeconds(intValue(env, "OUTPOST_EVENT_KEEPALIVE_SECONDS", 15, 1, 3600)),
          intValue(env, "OUTPOST_EVENT_STREAM_BUFFER_BYTES", 1024 * 1024, 1024, Integer.MAX_VALUE),
          intValue(env, "OUTPOST_WEBHOOKS_PER_ACCOUNT", 20, 0, 10_000),
          Duration.ofSeconds(
              intValue(env, "OUTPOST_WEBHOOK_RETRY_SECONDS", 86_400, 1, Integer.MAX_VALUE)),
          Duration.ofMillis(intValue(env, "OUTPOST_WEBHOOK_BACKOFF_MS", 1_000, 1, 3_600_000)),
          Duration.ofSeconds(
              intValue(
                  env,
                  "OUTPOST_WEBHOOK_DELIVERY_RETENTION_SECONDS",
                  7 * 86_400,
                  1,
                  Integer.MAX_VALUE)));
    }
  }

  /**
   * Sessions, sign-ins and their limits.
   *
   * @param sessionLifetime how long a session (the console's cookie) lasts from sign-in
   * @param failedAttemptsPerAccountPerMinute failed credentials aimed at one account (a password of
   *     one email, a registration key of one account, a token claiming one account) in a minute
   *     before it gets 429, from any address; 0 counts none
   * @param passwordThreads threads hashing passwords (Argon2id), apart from the event loops
   */
  public record AuthConfig(
      Duration sessionLifetime, int failedAttemptsPerAccountPerMinute, int passwordThreads) {

    static AuthConfig fromEnv(Map<String, String> env) {
      return new AuthConfig(
          Duration.ofSeconds(intValue(env, "OUTPOST_SESSION_SECONDS", 8 * 3600, 60, 30 * 86_400)),
          intValue(env, "OUTPOST_FAILED_ATTEMPTS_PER_ACCOUNT_PER_MINUTE", 20, 0, 1_000_000),
          intValue(env, "OUTPOST_PASSWORD_THREADS", 2, 1, 64));
    }
  }

  /** The account created on first start. */
  public static final String BOOTSTRAP_ACCOUNT = "standalone";

  /** Reads the configuration from environment variables, refusing malformed values by name. */
  public static ServerConfig fromEnv(Map<String, String> env) {
    int poolSize = intValue(env, "OUTPOST_DB_POOL_SIZE", 8, 1, 1000);
    return new ServerConfig(
        intValue(env, "OUTPOST_HTTP_PORT", 8080, 0, 65535),
        intValue(
            env, "OUTPOST_HTTP_INSTANCES", Runtime.getRuntime().availableProcessors(), 1, 1024),
        text(env, "OUTPOST_DB_URL"),
        Path.of(text(env, "OUTPOST_HOME").orElse(".outpost")).toAbsolutePath(),
        text(env, "OUTPOST_ADMIN_TOKEN"),
        text(env, "OUTPOST_REGISTRATION_KEY"),
        poolSize,
        intValue(env, "OUTPOST_EXCHANGE_BATCHES", Math.min(2, poolSize), 1, poolSize),
        intValue(env, "OUTPOST_MAX_BODY_BYTES", 4 * 1024 * 1024, 1024, Integer.MAX_VALUE),
        role(text(env, "OUTPOST_ROLE").orElse("all")),
        new JobsConfig(
            text(env, "OUTPOST_AMQP_URL"),
            text(env, "OUTPOST_JOBS_QUEUE").orElse("outpost.jobs"),
            intValue(env, "OUTPOST_JOBS_PREFETCH", 256, 1, 10_000),
            intValue(env, "OUTPOST_JOBS_LEASE_SECONDS", 30, 1, 86_400),
            intValue(env, "OUTPOST_JOBS_MAX_ATTEMPTS", 3, 1, 100),
            intValue(env, "OUTPOST_JOBS_TIMEOUT_SECONDS", 3600, 1, Integer.MAX_VALUE),
            intValue(env, "OUTPOST_JOBS_PER_ACCOUNT", 128, 1, 100_000)),
        intValue(env, "OUTPOST_SWEEP_INTERVAL_MS", 1000, 10, 3_600_000),
        intValue(env, "OUTPOST_RESULT_DEADLINE_SECONDS", 86_400, 1, Integer.MAX_VALUE),
        intValue(env, "OUTPOST_TOKEN_CACHE_SECONDS", 5, 0, 3600),
        Limits.fromEnv(env),
        new FetchConfig(
            OutboundAddresses.readSetting(env.get(OutboundAddresses.ALLOW_SETTING)),
            Duration.ofSeconds(
                intValue(env, "OUTPOST_OUTBOUND_CONNECT_TIMEOUT_SECONDS", 10, 1, 3600)),
            Duration.ofSeconds(
                intValue(env, "OUTPOST_OUTBOUND_IDLE_TIMEOUT_SECONDS", 60, 1, 86_400)),
            directories(env, "OUTPOST_POCKET_ROOTS"),
            longValue(env, "OUTPOST_POCKET_MAX_BYTES", 10L * 1024 * 1024 * 1024, 1, Long.MAX_VALUE),
            intValue(env, "OUTPOST_POCKET_MAX_FILES", 100_000, 1, Integer.MAX_VALUE),
            Duration.ofSeconds(
                intValue(env, "OUTPOST_POCKET_TIMEOUT_SECONDS", 1800, 1, Integer.MAX_VALUE))),
        text(env, "OUTPOST_PUBLIC_URL").map(ServerConfig::httpUrl),
        EventsConfig.fromEnv(env),
        intValue(env, "OUTPOST_HEALTH_PORT", 8081, 0, 65535),
        Listeners.fromEnv(env),
        AuthConfig.fromEnv(env));
  }

  /** This configuration with other listeners (a certificate made at start). */
  public ServerConfig withListeners(Listeners other) {
    return new ServerConfig(
        httpPort,
        httpInstances,
        dbUrl,
        home,
        adminToken,
        registrationKey,
        dbPoolSize,
        exchangeBatches,
        maxBodyBytes,
        role,
        jobs,
        sweepIntervalMs,
        resultDeadlineSeconds,
        tokenCacheSeconds,
        limits,
        fetch,
        publicUrl,
        events,
        healthPort,
        other,
        auth);
  }

  /** An absolute http or https URL naming a host, refused by name otherwise. */
  private static String httpUrl(String url) {
    try {
      URI uri = new URI(url);
      if (("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
          && uri.getHost() != null) {
        return url;
      }
    } catch (URISyntaxException e) {
      // refused below, by name
    }
    throw new IllegalArgumentException(
        "OUTPOST_PUBLIC_URL must be an http:// or https:// URL naming a host, not '" + url + "'");
  }

  /** Absolute directories separated by ':', as in PATH. */
  private static List<Path> directories(Map<String, String> env, String name) {
    return Arrays.stream(text(env, name).orElse("").split(":"))
        .map(String::strip)
        .filter(entry -> !entry.isEmpty())
        .map(
            entry -> {
              Path path = Path.of(entry);
              if (!path.isAbsolute()) {
                throw new IllegalArgumentException(
                    name + " must name absolute directories, not '" + entry + "'");
              }
              return path.normalize();
            })
        .toList();
  }

  private static long longValue(
      Map<String, String> env, String name, long fallback, long min, long max) {
    Optional<String> raw = text(env, name);
    if (raw.isEmpty()) {
      return fallback;
    }
    try {
      long value = Long.parseLong(raw.get());
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            name + " must be between " + min + " and " + max + ", not " + value);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, not '" + raw.get() + "'");
    }
  }

  private static Role role(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "all" -> Role.ALL;
      case "api" -> Role.API;
      case "job-handler" -> Role.JOB_HANDLER;
      default ->
          throw new IllegalArgumentException(
              "OUTPOST_ROLE must be all, api or job-handler, not '" + name + "'");
    };
  }

  private static Optional<String> text(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).map(String::strip).filter(v -> !v.isEmpty());
  }

  private static int intValue(
      Map<String, String> env, String name, int fallback, int min, int max) {
    return (int) longValue(env, name, fallback, min, max);
  }
}
