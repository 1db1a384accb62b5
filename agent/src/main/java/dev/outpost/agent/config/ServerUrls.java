package dev.outpost.agent.config;

import java.net.URI;
import java.util.Optional;

/**
 * Where the agent finds the server: the exchange URL, the ping URL and the base of attachment URLs,
 * which is the exchange URL without its last segment, as the Landscape Client takes it.
 */
public record ServerUrls(String exchange, String ping, String attachments) {

  /**
   * Derives the URLs from the exchange URL; the ping URL defaults to {@code /ping} next to it.
   *
   * @throws IllegalArgumentException when a URL is not an absolute http(s) URL
   */
  public static ServerUrls of(String exchangeUrl, Optional<String> pingUrl) {
    String exchange = check(exchangeUrl, "server URL");
    String base = exchange.substring(0, exchange.lastIndexOf('/'));
    String ping = check(pingUrl.filter(p -> !p.isBlank()).orElse(base + "/ping"), "ping URL");
    return new ServerUrls(exchange, ping, base + "/attachment/");
  }

  /**
   * The URL of the agent's channel: the exchange URL and {@code /channel}, its scheme {@code ws}
   * for {@code http} and {@code wss} for {@code https}.
   */
  public String channel() {
    return exchange.replaceFirst("^http", "ws") + "/channel";
  }

  /** The URL of one attachment. */
  public String attachment(long id) {
    return attachments + id;
  }

  private static String check(String url, String what) {
    URI uri;
    try {
      uri = URI.create(url.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the " + what + " '" + url + "' is not a URL", e);
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
        || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "the " + what + " '" + url + "' must be an absolute http or https URL");
    }
    String text = uri.toString();
    return uri.getPath() == null || uri.getPath().isEmpty() ? text + "/message-system" : text;
  }
}
