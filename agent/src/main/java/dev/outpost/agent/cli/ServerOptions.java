package dev.outpost.agent.cli;

import dev.outpost.agent.config.Durations;
import dev.outpost.agent.config.Intervals;
import dev.outpost.agent.config.ServerTrust;
import dev.outpost.agent.config.ServerUrls;
import dev.outpost.agent.exchange.Backoff;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options every command shares: where the server is, the account, the timing. */
public final class ServerOptions {

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Configuration file of key = value lines (a Landscape client.conf works); "
              + "default /etc/outpost/agent.conf when it exists.")
  Path config;

  @Option(
      names = "--server-url",
      paramLabel = "URL",
      defaultValue = "http://127.0.0.1:8080/message-system",
      description = "The server's message exchange URL (default: ${DEFAULT-VALUE}).")
  String serverUrl;

  @Option(
      names = "--ping-url",
      paramLabel = "URL",
      description = "The server's ping URL (default: /ping next to the server URL).")
  String pingUrl;

  @Option(
      names = "--account-name",
      paramLabel = "NAME",
      defaultValue = "standalone",
      description = "The account to register in (default: ${DEFAULT-VALUE}).")
  String accountName;

  @Option(
      names = "--registration-key",
      paramLabel = "KEY",
      description = "The account's registration key.")
  String registrationKey;

  @Option(
      names = "--tags",
      paramLabel = "TAGS",
      description = "Comma-separated tags sent at registration.")
  String tags;

  @Option(
      names = "--exchange-interval",
      paramLabel = "DURATION",
      defaultValue = "900",
      converter = Durations.class,
      description = "Time between regular exchanges: seconds, or 100ms, 5m... (default: 900).")
  Duration exchangeInterval;

  @Option(
      names = "--urgent-exchange-interval",
      paramLabel = "DURATION",
      defaultValue = "60",
      converter = Durations.class,
      description =
          "Time before an urgent exchange: after a result, or a ping saying messages "
              + "wait (default: 60).")
  Duration urgentInterval;

  @Option(
      names = "--ping-interval",
      paramLabel = "DURATION",
      defaultValue = "30",
      converter = Durations.class,
      description = "Time between pings (default: 30).")
  Duration pingInterval;

  @Option(
      names = "--backoff-min",
      paramLabel = "DURATION",
      defaultValue = "300",
      converter = Durations.class,
      description =
          "Wait after a failed exchange (429, 5xx, unreachable); doubles with each "
              + "failure (default: 300).")
  Duration backoffMin;

  @Option(
      names = "--backoff-max",
      paramLabel = "DURATION",
      defaultValue = "7200",
      converter = Durations.class,
      description = "Longest wait after failures (default: 7200).")
  Duration backoffMax;

  @Option(
      names = "--request-timeout",
      paramLabel = "DURATION",
      defaultValue = "60",
      converter = Durations.class,
      description = "Give up on a request to the server after this long (default: 60).")
  Duration requestTimeout;

  @Option(
      names = "--ssl-ca",
      paramLabel = "FILE",
      description =
          "PEM file of the CA the server's certificate must be signed by (the Landscape "
              + "Client's ssl_public_key; 'base64:' and the file's base64 also works). Without "
              + "it, https:// URLs are checked against the system's CAs.")
  String sslCa;

  @Option(
      names = "--allow-insecure-http",
      defaultValue = "false",
      description =
          "Allow plain http:// URLs to a server that is not on this machine (without it, "
              + "only loopback may be reached over plain HTTP).")
  boolean allowInsecureHttp;

  @Option(
      names = "--no-channel",
      defaultValue = "false",
      description =
          "Keep no channel open to the server: learn of new activities by pinging and "
              + "exchanging only, as the Landscape Client does.")
  boolean noChannel;

  /** The server's URLs. */
  ServerUrls urls() {
    return ServerUrls.of(serverUrl, Optional.ofNullable(pingUrl));
  }

  /** How the server is verified. */
  ServerTrust trust() {
    return new ServerTrust(Optional.ofNullable(sslCa), allowInsecureHttp);
  }

  /** The intervals configured. */
  Intervals intervals() {
    return new Intervals(exchangeInterval, urgentInterval, pingInterval);
  }

  /** The backoff configured. */
  Backoff backoff() {
    return new Backoff(backoffMin, backoffMax);
  }

  Optional<String> registrationKey() {
    return Optional.ofNullable(registrationKey).filter(k -> !k.isEmpty());
  }

  Optional<String> tags() {
    return Optional.ofNullable(tags).filter(t -> !t.isBlank());
  }
}
