package dev.outpost.server.activity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.activity.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The rule that {@link Transitions} (with {@link JobTransitions} beside it for the job-handler) is
 * the one writer of {@code activities.status}, read off the server's main sources: no other SQL
 * sets the column or logs a move, and no SQL spells a status but through {@link StatusSql}.
 */
class OneStatusWriterTest {

  private static final Path MAIN = Path.of("src/main/java/dev/outpost/server");
  private static final Pattern UPDATE_SET =
      Pattern.compile(
          "UPDATE\\s+activities\\b(?:\\s+(?!SET\\b)\\w+)?\\s+SET\\s+(.*?)(?:\\bFROM\\b|\\bWHERE\\b"
              + "|\\bRETURNING\\b|\"\"\")",
          Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  private static final Pattern STATUS_ASSIGNED =
      Pattern.compile("(?:^|,)\\s*status\\s*=", Pattern.CASE_INSENSITIVE);
  private static final Pattern EVENT_LOGGED =
      Pattern.compile("INSERT\\s+INTO\\s+activity_events\\b", Pattern.CASE_INSENSITIVE);
  private static final Pattern STATUS_LITERAL =
      Pattern.compile(
          "'("
              + Stream.of(Status.values())
                  .map(Status::wireName)
                  .map(Pattern::quote)
                  .collect(Collectors.joining("|"))
              + ")'");

  /**
   * Verifies that no statement outside {@link Transitions} and {@link JobTransitions} sets {@code
   * activities.status}, and that the search finds the statements that do: GIVEN the server's main
   * sources, WHEN every {@code UPDATE activities ... SET} is read, THEN those that assign the
   * status are all in those two, which holds one per kind of move.
   */
  @Test
  void onlyTransitionsSetsTheStatus() {
    Map<String, Integer> writers = count(UPDATE_SET, set -> STATUS_ASSIGNED.matcher(set).find());

    // the move by id, delivery, results; the claim, outcomes, giving up
    assertThat(writers)
        .containsOnly(
            Map.entry("activity/Transitions.java", 3),
            Map.entry("activity/JobTransitions.java", 3));
  }

  /**
   * Verifies that the transition log is written by the statements that move (and by the one that
   * creates activities, whose first event has no state before it), nowhere else.
   */
  @Test
  void onlyTransitionsAndCreationLogEvents() {
    Map<String, Integer> loggers = count(EVENT_LOGGED, match -> true);

    assertThat(loggers)
        .containsOnlyKeys(
            "activity/Transitions.java",
            "activity/JobTransitions.java",
            "activity/ActivityInserts.java");
    assertThat(loggers.get("activity/Transitions.java")).isEqualTo(3);
    assertThat(loggers.get("activity/JobTransitions.java")).isEqualTo(3);
  }

  /**
   * Verifies that statuses reach SQL as parameters or through {@link StatusSql}, not spelled in a
   * statement: a status renamed in {@link Status} cannot leave a statement behind.
   */
  @Test
  void noStatementSpellsAStatus() {
    Map<String, Integer> spelled = count(STATUS_LITERAL, match -> true);

    assertThat(spelled).isEmpty();
    assertThat(StatusSql.of("status IN ({queued}, {in-progress})"))
        .isEqualTo("status IN ('queued', 'in-progress')");
  }

  /** Per source file, how many matches of the pattern pass the test; comments are left out. */
  private static Map<String, Integer> count(
      Pattern pattern, java.util.function.Predicate<String> test) {
    Map<String, Integer> found = new TreeMap<>();
    for (Path file : sources()) {
      String code = withoutComments(read(file));
      Matcher matcher = pattern.matcher(code);
      int n = 0;
      while (matcher.find()) {
        if (test.test(
            matcher.groupCount() > 0 && matcher.group(1) != null
                ? matcher.group(1)
                : matcher.group())) {
          n++;
        }
      }
      if (n > 0) {
        found.put(MAIN.relativize(file).toString().replace('\\', '/'), n);
      }
    }
    return found;
  }

  private static List<Path> sources() {
    try (Stream<Path> files = Files.walk(MAIN)) {
      List<Path> sources =
          new ArrayList<>(files.filter(f -> f.toString().endsWith(".java")).toList());
      assertThat(sources)
          .as("server sources under " + MAIN.toAbsolutePath())
          .hasSizeGreaterThan(50);
      return sources;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The code without Java comments ({@code //} lines and {@code /* ... *}{@code /} blocks). */
  private static String withoutComments(String code) {
    return code.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("(?m)^\\s*//.*$", "");
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
