package dev.outpost.agent.exchange;

/** An exchange the server answered with something other than a usable 200. */
public final class ExchangeFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;

  ExchangeFailure(int status, String message) {
    super(message);
    this.status = status;
  }

  /** The HTTP status; 200 when the body was unusable. */
  public int status() {
    return status;
  }
}
