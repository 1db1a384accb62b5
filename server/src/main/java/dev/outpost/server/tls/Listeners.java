package dev.outpost.server.tls;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the HTTP front listens besides its port ({@code OUTPOST_HTTP_PORT}): plain HTTP on one
 * address, loopback unless told otherwise, and HTTPS on every address when the server has a
 * certificate. Both serve the same routes.
 *
 * @param httpHost the address plain HTTP listens on ({@code OUTPOST_HTTP_HOST})
 * @param httpsPort the port of HTTPS ({@code OUTPOST_HTTPS_PORT})
 * @param httpsHost the address HTTPS listens on ({@code OUTPOST_HTTPS_HOST})
 * @param certificate the server's certificate and key (PEM); empty serves no HTTPS
 */
public record Listeners(
    String httpHost, int httpsPort, String httpsHost, Optional<Certificate> certificate) {

  /** The only address plain HTTP listens on unless told otherwise. */
  public static final String LOOPBACK = "127.0.0.1";

  /**
   * A certificate and its private key, PEM files.
   *
   * @param cert the server's certificate, then any intermediate ones
   * @param key its private key: PKCS#8 ({@code PRIVATE KEY}) or PKCS#1 ({@code RSA PRIVATE KEY})
   */
  public record Certificate(Path cert, Path key) {}

  /** Plain HTTP on loopback, no HTTPS: what tests start with. */
  public static Listeners defaults() {
    return fromEnv(Map.of());
  }

  /** Reads {@code OUTPOST_HTTP_HOST}, {@code OUTPOST_HTTPS_*} and {@code OUTPOST_TLS_*}. */
  public static Listeners fromEnv(Map<String, String> env) {
    Optional<String> cert = text(env, "OUTPOST_TLS_CERT");
    Optional<String> key = text(env, "OUTPOST_TLS_KEY");
    if (cert.isPresent() != key.isPresent()) {
      throw new IllegalArgumentException(
          "OUTPOST_TLS_CERT and OUTPOST_TLS_KEY go together: set both (PEM files) or neither");
    }
    return new Listeners(
        text(env, "OUTPOST_HTTP_HOST").orElse(LOOPBACK),
        port(env, "OUTPOST_HTTPS_PORT", 8443),
        text(env, "OUTPOST_HTTPS_HOST").orElse("0.0.0.0"),
        cert.map(
            c ->
                new Certificate(Path.of(c).toAbsolutePath(), Path.of(key.get()).toAbsolutePath())));
  }

  /** These listeners serving HTTPS with this certificate. */
  public Listeners withCertificate(Certificate served) {
    return new Listeners(httpHost, httpsPort, httpsHost, Optional.of(served));
  }

  /** Whether HTTPS is served. */
  public boolean https() {
    return certificate.isPresent();
  }

  private static int port(Map<String, String> env, String name, int fallback) {
    Optional<String> raw = text(env, name);
    if (raw.isEmpty()) {
      return fallback;
    }
    try {
      int port = Integer.parseInt(raw.get());
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(name + " must be between 0 and 65535, not " + raw.get());
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, not '" + raw.get() + "'");
    }
  }

  private static Optional<String> text(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).map(String::strip).filter(v -> !v.isEmpty());
  }
}
