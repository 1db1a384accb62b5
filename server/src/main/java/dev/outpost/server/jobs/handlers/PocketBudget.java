package dev.outpost.server.jobs.handlers;

import dev.outpost.server.ServerConfig.FetchConfig;
import dev.outpost.server.jobs.JobContext;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** What one sync may still take (files, bytes, time), and whether its activity is still its own. */
final class PocketBudget {

  private final JobContext context;
  private final FetchConfig limits;
  private final Instant deadline;
  private final AtomicInteger files = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();

  PocketBudget(JobContext context, FetchConfig limits) {
    this.context = context;
    this.limits = limits;
    // the server's clock, as the scheduler's execution timeout reads it
    this.deadline = context.clock().instant().plus(limits.pocketTimeout());
  }

  /** Counts one more file, refusing one past the cap before it is fetched. */
  void addFile() {
    if (files.incrementAndGet() > limits.pocketMaxFiles()) {
      throw new PocketFailure(
          "the source holds more than "
              + limits.pocketMaxFiles()
              + " files (OUTPOST_POCKET_MAX_FILES)");
    }
  }

  /** Refuses when {@code more} bytes would pass the cap: a size known before any is written. */
  void expectBytes(long more) {
    if (more > limits.pocketMaxBytes() - bytes.get()) {
      throw tooManyBytes();
    }
  }

  /** Counts bytes written, refusing those past the cap. */
  void addBytes(long more) {
    if (bytes.addAndGet(more) > limits.pocketMaxBytes()) {
      throw tooManyBytes();
    }
  }

  /** Files counted so far. */
  int files() {
    return files.get();
  }

  /** Bytes written so far. */
  long bytes() {
    return bytes.get();
  }

  /**
   * Throws when the activity is no longer the sync's (canceled, timed out by the scheduler, taken
   * over) or the sync's own time is up.
   */
  void check() {
    context.checkCanceled();
    if (!context.clock().instant().isBefore(deadline)) {
      throw new PocketFailure(
          "the sync did not finish within "
              + limits.pocketTimeout().toSeconds()
              + " s (OUTPOST_POCKET_TIMEOUT_SECONDS)");
    }
  }

  /** Why the sync must stop now, if it must. */
  Optional<RuntimeException> stopReason() {
    try {
      check();
      return Optional.empty();
    } catch (RuntimeException e) {
      return Optional.of(e);
    }
  }

  private PocketFailure tooManyBytes() {
    return new PocketFailure(
        "the source holds more than "
            + limits.pocketMaxBytes()
            + " bytes (OUTPOST_POCKET_MAX_BYTES)");
  }
}
