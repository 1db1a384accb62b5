package dev.outpost.server.jobs.handlers;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a pocket is mirrored from: an http(s) URL, or a local directory under the allowed roots.
 */
sealed interface PocketSource {

  /** A URL's scheme, before the first ':'; a path never begins with one. */
  Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*):.*", Pattern.DOTALL);

  /** A flat repository served over http(s). */
  record Http(URI url) implements PocketSource {}

  /** A local directory, by its real path, which lies under an allowed root. */
  record Local(Path directory) implements PocketSource {}

  /**
   * Reads {@code source_url}: http and https URLs, and local directories ({@code file:} URLs or
   * absolute paths) whose real path lies under one of the roots; anything else is refused.
   */
  static PocketSource parse(String text, PocketRoots roots) {
    Matcher scheme = SCHEME.matcher(text);
    if (scheme.matches()) {
      return switch (scheme.group(1).toLowerCase(Locale.ROOT)) {
        case "http", "https" -> http(text);
        case "file" -> local(text, fileUrlPath(text), roots);
        default ->
            throw new PocketFailure(
                "source '"
                    + text
                    + "' uses the scheme '"
                    + scheme.group(1)
                    + "'; a source is an http(s) URL or a local directory under the"
                    + " allowed pocket roots");
      };
    }
    Path path;
    try {
      path = Path.of(text);
    } catch (InvalidPathException e) {
      throw new PocketFailure("source '" + text + "' is neither a URL nor a path");
    }
    if (!path.isAbsolute()) {
      throw new PocketFailure(
          "source '" + text + "' is neither an http(s) URL nor an absolute directory");
    }
    return local(text, path, roots);
  }

  private static PocketSource http(String text) {
    URI url;
    try {
      url = new URI(text);
    } catch (java.net.URISyntaxException e) {
      throw new PocketFailure("source '" + text + "' is not a valid URL");
    }
    if (url.getHost() == null) {
      throw new PocketFailure("source '" + text + "' names no host");
    }
    return new Http(url);
  }

  private static Path fileUrlPath(String text) {
    try {
      return Path.of(new URI(text));
    } catch (java.net.URISyntaxException
        | IllegalArgumentException
        | FileSystemNotFoundException e) {
      // "file://host/...", "file:relative", and the like
      throw new PocketFailure("source '" + text + "' is not a usable file: URL");
    }
  }

  /**
   * Checks the path by name first, so a source outside the roots fails the same whether it exists
   * or not, then by its real path, so a link cannot lead out of the roots.
   */
  private static PocketSource local(String text, Path path, PocketRoots roots) {
    if (roots.isEmpty()) {
      throw new PocketFailure(
          "source '"
              + text
              + "' is outside the allowed pocket roots ("
              + PocketRoots.SETTING
              + " names none)");
    }
    Path normalized = path.normalize();
    if (!roots.holdsByName(normalized)) {
      throw outside(text);
    }
    Path real;
    try {
      real = normalized.toRealPath();
    } catch (NoSuchFileException e) {
      throw new PocketFailure("source '" + text + "' does not exist");
    } catch (IOException e) {
      throw new PocketFailure(
          "source '" + text + "' cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    if (!roots.holds(real)) {
      throw outside(text);
    }
    if (!Files.isDirectory(real)) {
      throw new PocketFailure("source '" + text + "' is not a directory");
    }
    return new Local(real);
  }

  private static PocketFailure outside(String text) {
    return new PocketFailure(
        "source '" + text + "' is outside the allowed pocket roots (" + PocketRoots.SETTING + ")");
  }
}
