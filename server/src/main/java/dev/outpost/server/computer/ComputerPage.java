package dev.outpost.server.computer;

import java.util.Optional;

/**
 * Which page of computers to read: by id upwards from {@code after} (the default, from the first),
 * or newest first below {@code before}; both are keyset cursors, so a deep page costs what the
 * first does.
 *
 * @param offset rows to skip after the cursor; cheap only while small
 * @param count whether to count the matches (up to the listings' cap: past it, "at least")
 */
public record ComputerPage(
    int limit, int offset, Optional<Long> before, Optional<Long> after, boolean count) {

  /** Whether the page is newest first: it pages with {@code before}. */
  public boolean newestFirst() {
    return before.isPresent();
  }
}
