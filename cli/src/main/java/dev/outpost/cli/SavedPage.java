package dev.outpost.cli;

import java.util.Map;
import picocli.CommandLine.Option;

/** The paging options of saved things' listings (scripts, profiles), newest first. */
final class SavedPage {
  @Option(names = "--limit", defaultValue = "100", description = "how many (default: 100)")
  int limit;

  @Option(names = "--before", paramLabel = "ID", description = "the page after this id")
  Long before;

  @Option(names = "--archived", description = "archived ones")
  boolean archived;

  /** The listing's query parameters. */
  Map<String, Object> params() {
    return Api.params("limit", limit, "before", before, "archived", archived ? true : null);
  }
}
