package dev.outpost.common.wire;

import dev.outpost.common.error.OutpostException;

/** The 400 failure of a payload that cannot be decoded or does not have the expected shape. */
public class MalformedPayloadException extends OutpostException {

  private static final long serialVersionUID = 1L;

  /** Offset reported when the problem is not tied to a position in the body. */
  public static final long NO_OFFSET = -1;

  private final long offset;

  private MalformedPayloadException(String message, long offset) {
    super(400, "malformed-payload", message);
    this.offset = offset;
  }

  /** A body that breaks its encoding, at the byte where the decoder noticed, if it knows. */
  public static MalformedPayloadException at(String encoding, long offset, String problem) {
    String message =
        offset < 0
            ? String.format("malformed %s payload: %s", encoding, problem)
            : String.format("malformed %s payload at byte %d: %s", encoding, offset, problem);
    return new MalformedPayloadException(message, offset < 0 ? NO_OFFSET : offset);
  }

  /** A well-formed body whose content does not have the shape the reader expects. */
  public static MalformedPayloadException shape(String problem) {
    return new MalformedPayloadException("unexpected payload content: " + problem, NO_OFFSET);
  }

  /** The byte offset in the body where decoding failed, or {@link #NO_OFFSET}. */
  public long offset() {
    return offset;
  }
}
