package dev.outpost.server.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exclusive lock on a file in the home, so two servers never share one embedded service's data.
 */
final class HomeLock {

  private static final Logger LOG = LoggerFactory.getLogger(HomeLock.class);

  private final FileChannel channel;
  private final FileLock lock;

  private HomeLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock on {@code file}, or fails naming {@code service} when another holder has it. */
  static HomeLock acquire(Path file, String service) {
    try {
      Files.createDirectories(file.getParent());
      FileChannel channel =
          FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        channel.close();
        throw new IllegalStateException(service + " data is already in use [lock: " + file + "]");
      }
      return new HomeLock(channel, lock);
    } catch (IOException e) {
      throw new UncheckedIOException("could not lock [file: " + file + "]", e);
    }
  }

  void release() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      LOG.warn("could not release lock", e);
    }
  }
}
