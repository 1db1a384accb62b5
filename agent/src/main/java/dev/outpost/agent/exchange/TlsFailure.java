package dev.outpost.agent.exchange;

/**
 * A request that failed in its TLS handshake: the server's certificate is not trusted, does not
 * name its host, or the server does not speak TLS. Its message says which, and what it was checked
 * against.
 */
public final class TlsFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  TlsFailure(String message) {
    super(message);
  }
}
