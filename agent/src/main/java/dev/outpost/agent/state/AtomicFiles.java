package dev.outpost.agent.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

/**
 * File writes that a crash at any instant leaves either wholly done or not done at all: write a
 * temporary file, flush it to disk, rename it over the target, flush the directory.
 */
public final class AtomicFiles {

  /** Suffix of files being written; any found at start are leftovers of a crash. */
  static final String TEMPORARY = ".tmp";

  private AtomicFiles() {}

  /** Replaces the target with the content; {@code secret} makes it readable by its owner only. */
  public static void write(Path target, byte[] content, boolean secret) throws IOException {
    Path temporary = target.resolveSibling(target.getFileName() + TEMPORARY);
    Files.deleteIfExists(temporary);
    if (secret) {
      Files.createFile(
          temporary,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    try (FileChannel channel =
        FileChannel.open(
            temporary,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
    Files.move(
        temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(target.getParent());
  }

  /** Renames a file into another directory of the same file system, durably. */
  static void move(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    syncDirectory(to.getParent());
    syncDirectory(from.getParent());
  }

  /** Deletes a file and makes the deletion durable. */
  static void delete(Path file) throws IOException {
    if (Files.deleteIfExists(file)) {
      syncDirectory(file.getParent());
    }
  }

  /** Removes the temporary files a crash left in a directory. */
  static void removeLeftovers(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(TEMPORARY)).toList()) {
        Files.deleteIfExists(file);
      }
    }
  }

  /** Flushes a directory's entries: a rename is durable only once its directory is. */
  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
