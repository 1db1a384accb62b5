package dev.outpost.server.exchange;

import dev.outpost.common.activity.Status;
import java.util.Optional;

/**
 * An agent's report on an activity it was sent.
 *
 * @param status Succeeded or Failed
 */
record OperationResult(
    long activityId, Status status, Optional<Integer> code, Optional<String> text) {

  /** The longest result text kept; agents cap script output well below it. */
  static final int MAX_TEXT = 1024 * 1024;
}
