package dev.outpost.agent.config;

import io.netty.util.NetUtil;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * How the agent knows it talks to its server: over HTTPS, the server's certificate must chain to
 * the CA given ({@code --ssl-ca}, the Landscape Client's {@code ssl_public_key}), or to the
 * system's trusted CAs when none is given, and name the server's host; plain HTTP goes only to
 * loopback unless {@code --allow-insecure-http} says otherwise. Every request (exchanges, pings,
 * attachments) and the channel derive from the same URLs, so checking those checks them all.
 *
 * @param ca a PEM file of CA certificates, or {@code base64:} and the base64 of such PEM text (as
 *     {@code landscape-config} takes it); empty trusts the system's CAs
 * @param allowInsecureHttp whether plain HTTP may go to a host that is not loopback
 */
public record ServerTrust(Optional<String> ca, boolean allowInsecureHttp) {

  /** The system's CAs; plain HTTP to loopback only. */
  public static final ServerTrust SYSTEM = new ServerTrust(Optional.empty(), false);

  private static final String BASE64 = "base64:";
  private static final String PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----";

  /** Takes a blank CA as none. */
  public ServerTrust {
    ca = ca.map(String::strip).filter(c -> !c.isEmpty());
  }

  /**
   * Refuses URLs this trust does not allow, and a CA that cannot be read.
   *
   * @throws IllegalArgumentException naming the URL and the option that would allow it, or the CA
   *     and what is wrong with it
   */
  public void check(ServerUrls urls) {
    for (String url : new String[] {urls.exchange(), urls.ping()}) {
      URI uri = URI.create(url);
      if ("http".equals(uri.getScheme()) && !allowInsecureHttp && !isLoopback(uri.getHost())) {
        throw new IllegalArgumentException(
            "refusing plain HTTP to "
                + uri.getHost()
                + " ("
                + url
                + "): the server's answers and scripts would travel unverified; use https"
                + " (with --ssl-ca naming its CA), or --allow-insecure-http on a network you trust");
      }
    }
    pem();
  }

  /** Whether a URL's host is loopback: {@code localhost}, 127.0.0.0/8 or ::1 (never resolved). */
  public static boolean isLoopback(String host) {
    String bare = host.replaceAll("^\\[|\\]$", "").toLowerCase(Locale.ROOT);
    if (bare.equals("localhost")) {
      return true;
    }
    if (NetUtil.isValidIpV4Address(bare)) {
      return bare.startsWith("127.");
    }
    if (NetUtil.isValidIpV6Address(bare)) {
      byte[] address = NetUtil.createByteArrayFromIpAddressString(bare);
      for (int i = 0; i < 15; i++) {
        if (address[i] != 0) {
          return false;
        }
      }
      return address[15] == 1;
    }
    return false;
  }

  /** The trust options of the agent's clients: the CA given, or null for the system's. */
  public TrustOptions trustOptions() {
    return pem().map(text -> new PemTrustOptions().addCertValue(Buffer.buffer(text))).orElse(null);
  }

  /** What the server's certificate must chain to, for log lines. */
  public String describe() {
    return ca.map(
            c ->
                c.startsWith(BASE64)
                    ? "the CA given inline (base64) in --ssl-ca"
                    : "the CA in " + c + " (--ssl-ca)")
        .orElse("the system's trusted CAs (no --ssl-ca given)");
  }

  /** The CA's PEM text, read and checked. */
  private Optional<String> pem() {
    return ca.map(
        c -> {
          String text;
          if (c.startsWith(BASE64)) {
            try {
              text =
                  new String(
                      Base64.getMimeDecoder().decode(c.substring(BASE64.length())),
                      StandardCharsets.US_ASCII);
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException("--ssl-ca: the base64 after 'base64:' is broken");
            }
          } else {
            try {
              text = Files.readString(Path.of(c), StandardCharsets.ISO_8859_1);
            } catch (IOException | RuntimeException e) {
              throw new IllegalArgumentException(
                  "--ssl-ca: cannot read the CA file " + c + ": " + e, e);
            }
          }
          if (!text.contains(PEM_CERTIFICATE)) {
            throw new IllegalArgumentException(
                "--ssl-ca: "
                    + (c.startsWith(BASE64) ? "the value" : c)
                    + " holds no PEM certificate");
          }
          return text;
        });
  }
}
