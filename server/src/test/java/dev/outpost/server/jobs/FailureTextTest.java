package dev.outpost.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

/** What a failed job's result says: the handler's reason, and no path of the server's. */
class FailureTextTest {

  /** Verifies that a file system error is said by its kind and reason, without its paths. */
  @Test
  void aFileSystemErrorNamesNoServerPath() {
    String text =
        JobRunner.failureText(
            new FileSystemException(
                "/srv/outpost/storage/reports/1/5.csv.tmp",
                "/srv/outpost/storage/reports/1/5.csv",
                "No space left on device"));

    assertThat(text)
        .isEqualTo(
            "the server's storage failed: FileSystemException" + " (No space left on device)")
        .doesNotContain("/srv");
  }

  /** Verifies that one wrapped by a handler is read the same way. */
  @Test
  void aWrappedFileSystemErrorNamesNoServerPath() {
    String text =
        JobRunner.failureText(
            new UncheckedIOException(
                "cannot write /srv/outpost/x", new AccessDeniedException("/srv/outpost/x")));

    assertThat(text)
        .isEqualTo("the server's storage failed: AccessDeniedException")
        .doesNotContain("/srv");
    assertThat(JobRunner.failureText(new NoSuchFileException("/etc/x"))).doesNotContain("/etc");
  }

  /** Verifies that any other failure is said by its message. */
  @Test
  void anyOtherFailureIsItsMessage() {
    assertThat(JobRunner.failureText(new IllegalArgumentException("pocket name 'x y' is bad")))
        .isEqualTo("pocket name 'x y' is bad");
  }
}
