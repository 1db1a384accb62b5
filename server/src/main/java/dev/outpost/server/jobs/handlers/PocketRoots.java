package dev.outpost.server.jobs.handlers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The local directories pocket sources may lie under, as configured and as they resolve now. */
final class PocketRoots {

  static final String SETTING = "OUTPOST_POCKET_ROOTS";

  private final List<Path> configured;
  private final List<Path> real;

  private PocketRoots(List<Path> configured, List<Path> real) {
    this.configured = configured;
    this.real = real;
  }

  /** The roots resolved now: a root may itself be a link, or appear after the server started. */
  static PocketRoots of(List<Path> configured) {
    return new PocketRoots(
        configured,
        configured.stream()
            .flatMap(
                root -> {
                  try {
                    return Stream.of(root.toRealPath());
                  } catch (IOException e) {
                    return Stream.empty();
                  }
                })
            .toList());
  }

  boolean isEmpty() {
    return configured.isEmpty();
  }

  /**
   * Whether a normalized path names a place under a root as written, before anything is looked up:
   * a source outside fails without the server saying whether it exists.
   */
  boolean holdsByName(Path normalized) {
    return Stream.concat(configured.stream(), real.stream()).anyMatch(normalized::startsWith);
  }

  /** Whether a real path (every link resolved) lies under a root. */
  boolean holds(Path realPath) {
    return real.stream().anyMatch(realPath::startsWith);
  }
}
