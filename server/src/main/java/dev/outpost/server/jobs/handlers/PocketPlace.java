package dev.outpost.server.jobs.handlers;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a sync writes: a staging directory beside the account's pockets, moved into the pocket's
 * place only once the sync is whole and deleted otherwise, so a pocket is never left half-synced.
 * The names of the staging and the replaced directory begin with a dot, which no pocket name does,
 * and carry the activity's id: a later attempt of an activity whose job-handler died clears what
 * the earlier one left.
 */
final class PocketPlace {

  private static final Logger LOG = LoggerFactory.getLogger(PocketPlace.class);

  private final Path staging;
  private final Path target;
  private final Path replaced;

  private PocketPlace(Path staging, Path target, Path replaced) {
    this.staging = staging;
    this.target = target;
    this.replaced = replaced;
  }

  /**
   * An empty staging directory for the activity's sync of the pocket, under the account's storage.
   */
  static PocketPlace prepare(Path storage, long accountId, long activityId, String pocket)
      throws IOException {
    Path account = storage.resolve("pockets").resolve(Long.toString(accountId));
    PocketPlace place =
        new PocketPlace(
            account.resolve(".sync-" + activityId),
            account.resolve(pocket),
            account.resolve(".replaced-" + activityId));
    deleteTree(place.staging);
    deleteTree(place.replaced);
    Files.createDirectories(place.staging);
    return place;
  }

  /** The directory the sync writes into. */
  Path staging() {
    return staging;
  }

  /**
   * Puts the staged pocket in the place of the old one, which is then deleted; an old one that
   * cannot be is left to the log, the pocket being in place.
   */
  void publish() throws IOException {
    boolean hadOne = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
    if (hadOne) {
      Files.move(target, replaced, StandardCopyOption.ATOMIC_MOVE);
    }
    try {
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      if (hadOne) {
        Files.move(replaced, target, StandardCopyOption.ATOMIC_MOVE);
      }
      throw e;
    }
    try {
      deleteTree(replaced);
    } catch (IOException e) {
      LOG.warn("replaced pocket not deleted [path: {}, cause: {}]", replaced, e.toString());
    }
  }

  /** Deletes what the sync staged. */
  void discard() throws IOException {
    deleteTree(staging);
  }

  /** Deletes a tree without following links (a link is deleted, not what it points to). */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.deleteIfExists(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
