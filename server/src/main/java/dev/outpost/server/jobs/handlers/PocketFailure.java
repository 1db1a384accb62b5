package dev.outpost.server.jobs.handlers;

/**
 * Why a sync stopped; its message becomes the activity's result text, so it names no server path.
 */
final class PocketFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  PocketFailure(String message) {
    super(message, null, false, false);
  }
}
