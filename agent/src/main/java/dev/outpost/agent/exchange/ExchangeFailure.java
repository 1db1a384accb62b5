package dev.outpost.agent.exchange;

/** An exchange the server answered with something other than a usable 200. */
public final class ExchangeFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;

  ExchangeFailure(int status, String message) {
    super(message);
    this.status = status;
  }

  /**
   * A request that got no answer: the connection failed (a failed TLS handshake says why), or the
   * time ran out.
   */
  ExchangeFailure(Throwable cause) {
    super(cause instanceof TlsFailure ? cause.getMessage() : cause.toString(), cause);
    this.status = 0;
  }

  /** The HTTP status; 200 when the body was unusable, 0 when there was no answer. */
  public int status() {
    return status;
  }
}
