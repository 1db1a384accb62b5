package dev.outpost.agent.simulate;

import dev.outpost.agent.state.AtomicFiles;
import dev.outpost.agent.state.Identity;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A fleet's identities in a file, one agent a line: {@code TITLE INSECURE_ID SECURE_ID}. A fleet
 * that reads one starts its agents registered as it says, so that a large fleet is registered once
 * (or straight in the server's database, as the benchmarks do) and not again at every run. The
 * secure-ids are secrets: the file is written readable by its owner only.
 */
public final class FleetIdentities {

  private FleetIdentities() {}

  /**
   * The identities in the file by title; none when there is no file yet.
   *
   * @throws IllegalArgumentException naming the line that is not {@code TITLE INSECURE_ID
   *     SECURE_ID}
   */
  public static Map<String, Identity> read(Path file) throws IOException {
    Map<String, Identity> identities = new HashMap<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int number = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        number++;
        String text = line.strip();
        if (text.isEmpty() || text.startsWith("#")) {
          continue;
        }
        String[] parts = text.split("\\s+");
        try {
          if (parts.length != 3) {
            throw new NumberFormatException();
          }
          identities.put(parts[0], new Identity(parts[2], Long.parseLong(parts[1])));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              file + " line " + number + ": expected TITLE INSECURE_ID SECURE_ID");
        }
      }
    } catch (NoSuchFileException e) {
      return Map.of();
    }
    return identities;
  }

  /** Writes the identities, by title, in place of the file's. */
  public static void write(Path file, Map<String, Identity> identities) throws IOException {
    StringBuilder text = new StringBuilder(identities.size() * 80);
    text.append("# TITLE INSECURE_ID SECURE_ID: outpost-agent simulate --identities\n");
    identities.forEach(
        (title, identity) ->
            text.append(title)
                .append(' ')
                .append(identity.insecureId())
                .append(' ')
                .append(identity.secureId())
                .append('\n'));
    Path absolute = file.toAbsolutePath();
    Files.createDirectories(absolute.getParent());
    AtomicFiles.write(absolute, text.toString().getBytes(StandardCharsets.UTF_8), true);
  }
}
