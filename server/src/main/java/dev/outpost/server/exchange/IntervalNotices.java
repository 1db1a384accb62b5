package dev.outpost.server.exchange;

import dev.outpost.common.wire.Bpickle;
import dev.outpost.server.exchange.ExchangePlanner.Bookkeeping;
import java.util.Optional;

/**
 * The {@code set-intervals} message due at an exchange: one for each computer whose account changed
 * its client intervals since the computer was last sent them (or that never was). What the computer
 * was sent is read with its lock ({@link ComputerStateStore#lock}) and saved with its state, in the
 * exchange's transaction, so each change is sent once and costs the exchange no statement of its
 * own.
 */
final class IntervalNotices {

  /** The message type; only computers whose client accepts it are sent it. */
  static final String SET_INTERVALS = "set-intervals";

  private IntervalNotices() {}

  /** Whether the exchange sends the computer its account's intervals. */
  private static boolean due(Bookkeeping after, ComputerState state) {
    return state.intervals().changed() && after.clientTypes().contains(SET_INTERVALS);
  }

  /**
   * The computer's {@code set-intervals} message, encoded, when one is due; a change that left no
   * interval set is sent as none (each client keeps what it has).
   */
  static Optional<byte[]> message(Bookkeeping after, ComputerState state) {
    ComputerState.Intervals intervals = state.intervals();
    return due(after, state) && intervals.now().any()
        ? Optional.of(Bpickle.encode(intervals.now().message()))
        : Optional.empty();
  }

  /**
   * The version of the account's intervals the computer has been sent once the exchange commits.
   */
  static long sent(Bookkeeping after, ComputerState state) {
    return due(after, state) ? state.intervals().version() : state.intervals().sent();
  }
}
