package dev.outpost.server.events;

import dev.outpost.server.ServerConfig;
import dev.outpost.server.net.OutboundAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sends one delivery: a POST of the event's JSON, signed, to an address the outbound rule allows
 * (checked after DNS, and connected to as checked), within the outbound timeouts, redirects not
 * followed. The answer is judged by its status alone; its body is never read (the request is
 * reset), so a receiver cannot make the server hold anything.
 */
public final class WebhookSender {

  /** The header carrying {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">}. */
  public static final String SIGNATURE_HEADER = "Outpost-Signature";

  private final Vertx vertx;
  private final HttpClient client;
  private final OutboundAddresses addresses;
  private final ServerConfig.FetchConfig limits;

  /** A sender over the client given, under the outbound rule and timeouts. */
  public WebhookSender(
      Vertx vertx,
      HttpClient client,
      OutboundAddresses addresses,
      ServerConfig.FetchConfig limits) {
    this.vertx = vertx;
    this.client = client;
    this.addresses = addresses;
    this.limits = limits;
  }

  /** A failed attempt: what went wrong, and the receiver's status when it answered. */
  public static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The status the receiver answered, or 0 when none came. */
    public final int status;

    Failure(String message, int status) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  /**
   * Posts {@code body} to {@code url}, signed with {@code secret} at {@code unixSeconds}.
   *
   * @return the receiver's 2xx status; any other answer, or none, fails with a {@link Failure}
   */
  public Future<Integer> send(String url, String secret, String body, long unixSeconds) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return Future.failedFuture(new Failure("'" + url + "' is not a URL", 0));
    }
    String host = uri.getHost().replaceAll("^\\[(.*)]$", "$1");
    return addresses
        .resolve(vertx, host)
        .recover(e -> Future.failedFuture(new Failure(e.getMessage(), 0)))
        .compose(address -> post(uri, host, address, secret, body, unixSeconds));
  }

  private Future<Integer> post(
      URI uri, String host, InetAddress address, String secret, String body, long unixSeconds) {
    boolean tls = uri.getScheme().toLowerCase(Locale.ROOT).equals("https");
    int port = uri.getPort() < 0 ? (tls ? 443 : 80) : uri.getPort();
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            // the address checked, not what the name resolves to by now; Host and TLS name the host
            .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(address, port)))
            .setHost(host)
            .setPort(port)
            .setSsl(tls)
            .setURI(uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery())
            .setConnectTimeout(limits.connectTimeout().toMillis())
            .setIdleTimeout(limits.idleTimeout().toMillis())
            .setFollowRedirects(false)
            .putHeader("Content-Type", "application/json")
            .putHeader(SIGNATURE_HEADER, signature(secret, unixSeconds, body));
    String where = "'" + host + "' (" + address.getHostAddress() + ")";
    return client
        .request(options)
        .compose(request -> request.send(Buffer.buffer(body, "UTF-8")))
        .recover(
            e ->
                Future.failedFuture(
                    new Failure("could not post to " + where + ": " + describe(e), 0)))
        .compose(
            response -> {
              int status = response.statusCode();
              discard(response);
              if (status / 100 != 2) {
                return Future.failedFuture(
                    new Failure(
                        where + " answered " + status + " " + response.statusMessage(), status));
              }
              return Future.succeededFuture(status);
            });
  }

  /** The signature header's value: {@code t=<unixSeconds>,v1=<hex HMAC-SHA256("t.body")>}. */
  public static String signature(String secret, long unixSeconds, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] digest = mac.doFinal((unixSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
      return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }

  private static String describe(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** Lets a response go unread: its request is reset, so no body keeps the connection busy. */
  private static void discard(HttpClientResponse response) {
    response.exceptionHandler(ignored -> {});
    response.request().reset();
  }
}
