package dev.outpost.common.error;

/**
 * The one failure type of Outpost: carries the HTTP-like status a boundary answers with, a short
 * machine-readable code, and a message for people that names the problem.
 */
public class OutpostException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final int retryAfterSeconds;

  /** Creates a failure with an HTTP-like status and a short code such as {@code bad-request}. */
  public OutpostException(int status, String code, String message) {
    this(status, code, message, null);
  }

  /** Creates a failure caused by another. */
  public OutpostException(int status, String code, String message, Throwable cause) {
    this(status, code, message, cause, 0);
  }

  private OutpostException(
      int status, String code, String message, Throwable cause, int retryAfterSeconds) {
    super(message, cause);
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The HTTP status this failure is answered with. */
  public int status() {
    return status;
  }

  /** Seconds after which the caller may try again (a {@code Retry-After}), or 0 for none. */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** A short machine-readable code ({@code not-found}, {@code conflict}, ...). */
  public String code() {
    return code;
  }

  /** 400: the request is malformed or names something that does not exist in its language. */
  public static OutpostException badRequest(String message) {
    return new OutpostException(400, "bad-request", message);
  }

  /** 401: no credentials, or wrong ones. */
  public static OutpostException unauthorized(String message) {
    return new OutpostException(401, "unauthorized", message);
  }

  /** 403: the caller is known, but its roles do not allow what it asks. */
  public static OutpostException forbidden(String message) {
    return new OutpostException(403, "forbidden", message);
  }

  /** 404: nothing of that id in the caller's account. */
  public static OutpostException notFound(String message) {
    return new OutpostException(404, "not-found", message);
  }

  /** 409: the request is valid but the current state forbids it (an illegal transition). */
  public static OutpostException conflict(String message) {
    return new OutpostException(409, "conflict", message);
  }

  /** 413: the body is larger than the configured limit. */
  public static OutpostException tooLarge(String message) {
    return new OutpostException(413, "payload-too-large", message);
  }

  /** 503: a dependency (the database, the broker) does not answer. */
  public static OutpostException unavailable(String message, Throwable cause) {
    return new OutpostException(503, "unavailable", message, cause);
  }

  /** 429: this caller has failed too often; it may try again after the seconds given. */
  public static OutpostException tooManyRequests(String message, int retryAfterSeconds) {
    return new OutpostException(429, "too-many-requests", message, null, retryAfterSeconds);
  }

  /** 503: the server is too busy for this request now; try again after the seconds given. */
  public static OutpostException busy(String message, int retryAfterSeconds) {
    return new OutpostException(503, "busy", message, null, retryAfterSeconds);
  }
}
