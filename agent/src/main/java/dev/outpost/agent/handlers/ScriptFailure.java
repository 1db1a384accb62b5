package dev.outpost.agent.handlers;

import java.util.Optional;

/** Why a script could not run, with the result code the failure is reported with, if any. */
final class ScriptFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Optional<Long> code;

  ScriptFailure(Optional<Long> code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  static ScriptFailure of(String message) {
    return new ScriptFailure(Optional.empty(), message);
  }

  static ScriptFailure attachment(String message) {
    return new ScriptFailure(Optional.of(Replies.ATTACHMENT), message);
  }

  Optional<Long> code() {
    return code;
  }
}
