package dev.outpost.agent.exchange;

import dev.outpost.agent.config.ServerTrust;
import dev.outpost.agent.config.ServerUrls;
import dev.outpost.common.error.OutpostException;
import dev.outpost.common.wire.Bpickle;
import dev.outpost.common.wire.WireMap;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The agent's HTTP side (PROTOCOL.md section 1): exchanges, pings and attachment downloads over a
 * WebClient, and channels over a WebSocketClient, that any number of agents may share.
 */
public final class ServerLink {

  /** Sent as {@code User-Agent}. */
  static final String USER_AGENT = "outpost-agent/0.1.0";

  /** Seconds a channel may hear nothing before the agent closes it as dead. */
  static final int CHANNEL_SILENCE_SECONDS = 150;

  private final WebClient client;
  private final WebSocketClient channels;
  private final ServerUrls urls;
  private final ServerTrust trust;
  private final long timeoutMs;

  /**
   * Talks to the server at the given URLs, giving up on a request after {@code timeout}; the
   * clients were made with {@link #clientOptions} and {@link #channelOptions} of this trust.
   */
  public ServerLink(
      WebClient client,
      WebSocketClient channels,
      ServerUrls urls,
      ServerTrust trust,
      Duration timeout) {
    this.client = client;
    this.channels = channels;
    this.urls = urls;
    this.trust = trust;
    this.timeoutMs = timeout.toMillis();
  }

  /**
   * Options of the client of exchanges, pings and attachments: the server's certificate checked
   * against the trust's CA and its host name, and no redirect followed (the server sends none, and
   * one must not lead a request elsewhere, over plain HTTP say).
   */
  public static WebClientOptions clientOptions(ServerTrust trust) {
    return new WebClientOptions()
        .setDecompressionSupported(true)
        .setKeepAlive(true)
        .setFollowRedirects(false)
        .setVerifyHost(true)
        .setTrustOptions(trust.trustOptions());
  }

  /**
   * Options of a client of channels for {@code connections} agents: a channel carries pings, {@code
   * exchange} messages and close frames, none past a control frame's 125 bytes, and one that hears
   * nothing for {@value #CHANNEL_SILENCE_SECONDS} s (the server pings every minute at least) is
   * closed. Its certificate is checked as {@link #clientOptions} does.
   */
  public static WebSocketClientOptions channelOptions(int connections, ServerTrust trust) {
    return new WebSocketClientOptions()
        .setVerifyHost(true)
        .setTrustOptions(trust.trustOptions())
        .setMaxConnections(connections)
        .setMaxFrameSize(125)
        .setMaxMessageSize(125)
        .setIdleTimeout(CHANNEL_SILENCE_SECONDS)
        .setIdleTimeoutUnit(TimeUnit.SECONDS);
  }

  /** Opens the computer's channel (PROTOCOL: {@code GET <exchange URL>/channel}, a WebSocket). */
  public Future<WebSocket> channel(String secureId) {
    return explained(
        channels.connect(
            new WebSocketConnectOptions()
                .setAbsoluteURI(urls.channel())
                .setTimeout(timeoutMs)
                .putHeader("User-Agent", USER_AGENT)
                .putHeader("X-Computer-ID", secureId)),
        urls.channel());
  }

  /**
   * Sends a payload; the response must be a 200 with {@code server-api}, {@code server-uuid} and
   * {@code messages}, or the future fails with an {@link ExchangeFailure}.
   */
  public Future<WireMap> exchange(Payload payload) {
    HttpRequest<Buffer> request =
        client
            .postAbs(urls.exchange())
            .timeout(timeoutMs)
            .putHeader("Content-Type", Bpickle.MEDIA_TYPE)
            .putHeader("User-Agent", USER_AGENT)
            .putHeader("X-Message-API", payload.serverApi());
    payload.secureId().ifPresent(id -> request.putHeader("X-Computer-ID", id));
    payload.token().ifPresent(token -> request.putHeader("X-Exchange-Token", token));
    return explained(request.sendBuffer(Bpickle.encodeToBuffer(payload.body())), urls.exchange())
        .map(ServerLink::read);
  }

  /** Pings with the computer's insecure-id: whether the server has messages waiting. */
  public Future<Boolean> ping(long insecureId) {
    return explained(
            client
                .postAbs(urls.ping())
                .timeout(timeoutMs)
                .putHeader("User-Agent", USER_AGENT)
                .sendForm(
                    MultiMap.caseInsensitiveMultiMap()
                        .add("insecure_id", Long.toString(insecureId))),
            urls.ping())
        .map(
            response -> {
              if (response.statusCode() != 200) {
                throw new ExchangeFailure(
                    response.statusCode(), "ping answered " + response.statusCode());
              }
              return WireMap.of(Bpickle.decode(response.body())).bool("messages");
            });
  }

  /** Downloads a script attachment. */
  public Future<Buffer> attachment(long id, String secureId) {
    return explained(
            client
                .getAbs(urls.attachment(id))
                .timeout(timeoutMs)
                .putHeader("User-Agent", USER_AGENT)
                .putHeader("X-Computer-ID", secureId)
                .send(),
            urls.attachment(id))
        .map(
            response -> {
              if (response.statusCode() != 200) {
                throw new ExchangeFailure(
                    response.statusCode(),
                    "attachment " + id + " answered " + response.statusCode());
              }
              return response.body() == null ? Buffer.buffer() : response.body();
            });
  }

  /** A request whose TLS handshake failed fails with a {@link TlsFailure} saying why. */
  private <T> Future<T> explained(Future<T> request, String url) {
    return request.recover(
        e ->
            Future.failedFuture(
                tlsProblem(e, url, trust).<Throwable>map(TlsFailure::new).orElse(e)));
  }

  /**
   * What a failed TLS handshake means, in words an operator acts on, or empty when {@code failure}
   * is no TLS failure.
   */
  static Optional<String> tlsProblem(Throwable failure, String url, ServerTrust trust) {
    Throwable tls = failure;
    while (tls != null && !(tls instanceof SSLException)) {
      tls = tls.getCause();
    }
    if (tls == null) {
      return Optional.empty();
    }
    Throwable root = tls;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String detail =
        String.valueOf(tls.getMessage()) + (root == tls ? "" : "; " + root.getMessage());
    URI uri = URI.create(url);
    String server = "the server at " + uri.getHost() + ":" + uri.getPort();
    String why;
    if (detail.contains("PKIX")
        || detail.contains("certification path")
        || detail.contains("trust anchor")) {
      why = server + " is not trusted: its certificate is not signed by " + trust.describe();
    } else if (detail.contains("subject alternative") || detail.contains("No name matching")) {
      why = server + " is not trusted: its certificate does not name " + uri.getHost();
    } else if (detail.contains("nrecognized SSL message") || detail.contains("not an SSL/TLS")) {
      why = server + " does not speak TLS on that port";
    } else {
      why = "the TLS handshake with " + server + " failed";
    }
    return Optional.of("TLS: " + why + " [" + detail + "]");
  }

  private static WireMap read(HttpResponse<Buffer> response) {
    if (response.statusCode() != 200) {
      String body = response.bodyAsString();
      throw new ExchangeFailure(
          response.statusCode(),
          "exchange answered "
              + response.statusCode()
              + (body == null ? "" : ": " + abbreviate(body)));
    }
    try {
      WireMap answer =
          WireMap.of(
              Bpickle.decode(response.body() == null ? new byte[0] : response.body().getBytes()));
      for (String key : new String[] {"server-api", "server-uuid", "messages"}) {
        if (!answer.has(key)) {
          throw new ExchangeFailure(200, "the response has no '" + key + "'");
        }
      }
      answer.mapList("messages");
      return answer;
    } catch (OutpostException e) {
      throw new ExchangeFailure(200, "unusable response: " + e.getMessage());
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }
}
