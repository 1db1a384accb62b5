package dev.outpost.server.jobs.handlers;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the files a repository's {@code Packages} index names, in bounded memory. */
final class PackagesIndex {

  /** Index lines longer than this are skipped unread: a Filename line is far shorter. */
  private static final int MAX_LINE = 8192;

  private static final Pattern FILENAME = Pattern.compile("Filename:\\s*(\\S+)\\s*");

  private PackagesIndex() {}

  /**
   * The distinct names of the index's {@code Filename:} lines, in order, each counted against the
   * file cap as it is read: an index naming too many fails before any of them is fetched.
   */
  static List<String> fileNames(Path index, PocketBudget budget) throws IOException {
    Set<String> names = new LinkedHashSet<>();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(index))) {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      boolean tooLong = false;
      for (int b = in.read(); ; b = in.read()) {
        if (b == '\n' || b < 0) {
          Matcher filename = FILENAME.matcher(line.toString(StandardCharsets.UTF_8));
          if (!tooLong && filename.matches() && names.add(filename.group(1))) {
            budget.addFile();
          }
          if (b < 0) {
            break;
          }
          line.reset();
          tooLong = false;
        } else if (line.size() < MAX_LINE) {
          line.write(b);
        } else {
          tooLong = true;
        }
      }
    }
    return List.copyOf(names);
  }
}
