package dev.outpost.server.jobs.handlers;

import dev.outpost.server.jobs.JobContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * Copies a local directory into a pocket. Links are followed only while they stay under the allowed
 * roots: every directory and file is checked by its real path when the source is listed, before
 * anything is copied, and every file again when it is copied; one pointing out fails the whole
 * sync.
 */
final class DirectoryMirror {

  private static final int BUFFER = 64 * 1024;

  /** Bytes copied between looks at the cancel flag and the deadline. */
  private static final long CHECK_EVERY = 8L * 1024 * 1024;

  private final JobContext context;
  private final PocketRoots roots;
  private final PocketBudget budget;
  private int reported = -1;

  DirectoryMirror(JobContext context, PocketRoots roots, PocketBudget budget) {
    this.context = context;
    this.roots = roots;
    this.budget = budget;
  }

  /** Copies {@code source} (a real path under a root) into {@code into}, an empty directory. */
  void copy(Path source, Path into) {
    List<Path> files = list(source);
    for (int i = 0; i < files.size(); i++) {
      budget.check();
      Path relative = files.get(i);
      Path file = realInside(source.resolve(relative), relative);
      copyFile(file, into.resolve(relative.toString()), relative);
      progress(i + 1, files.size());
    }
  }

  /** The source's regular files, relative to it; counted against the caps before any is copied. */
  private List<Path> list(Path source) {
    List<Path> files = new ArrayList<>();
    long[] total = {0};
    try {
      Files.walkFileTree(
          source,
          EnumSet.of(FileVisitOption.FOLLOW_LINKS),
          Integer.MAX_VALUE,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              budget.check();
              realInside(dir, source.relativize(dir));
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              // devices, pipes, sockets and dangling links hold no package
              if (attrs.isRegularFile()) {
                Path relative = source.relativize(file);
                realInside(file, relative);
                budget.addFile();
                total[0] += attrs.size();
                budget.expectBytes(total[0]);
                files.add(relative);
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              Path relative = source.relativize(file);
              if (e instanceof FileSystemLoopException) {
                throw new PocketFailure("source entry '" + relative + "' links back into itself");
              }
              throw unreadable(relative, e);
            }
          });
    } catch (IOException e) {
      throw unreadable(Path.of(""), e);
    }
    files.sort(null);
    return files;
  }

  /** The real path of an entry, refused unless it lies under a root. */
  private Path realInside(Path entry, Path relative) {
    Path real;
    try {
      real = entry.toRealPath();
    } catch (IOException e) {
      throw unreadable(relative, e);
    }
    if (!roots.holds(real)) {
      throw new PocketFailure(
          "source entry '"
              + relative
              + "' links outside the allowed pocket roots ("
              + PocketRoots.SETTING
              + ")");
    }
    return real;
  }

  /** Copies one file, its bytes counted as they go: a file grown since the listing still counts. */
  private void copyFile(Path real, Path copy, Path relative) {
    try {
      Files.createDirectories(copy.getParent());
      // the real path was checked; a link put in its place since is not followed
      try (InputStream in = Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS);
          OutputStream out =
              Files.newOutputStream(
                  copy, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        byte[] buffer = new byte[BUFFER];
        long sinceCheck = 0;
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          budget.addBytes(n);
          out.write(buffer, 0, n);
          sinceCheck += n;
          if (sinceCheck >= CHECK_EVERY) {
            budget.check();
            sinceCheck = 0;
          }
        }
      }
    } catch (IOException e) {
      throw new PocketFailure(
          "could not copy '" + relative + "' (" + e.getClass().getSimpleName() + ")");
    }
  }

  private void progress(int done, int total) {
    int percent = (int) (100L * done / total);
    if (percent != reported) {
      reported = percent;
      context.progress(percent);
    }
  }

  private static PocketFailure unreadable(Path relative, IOException e) {
    String name = relative.toString().isEmpty() ? "the source" : "'" + relative + "'";
    return new PocketFailure("cannot read " + name + " (" + e.getClass().getSimpleName() + ")");
  }
}
