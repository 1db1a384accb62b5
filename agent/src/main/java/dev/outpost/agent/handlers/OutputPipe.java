package dev.outpost.agent.handlers;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The pipe a script writes its output into: a FIFO the agent alone may open, read through a
 * channel. A channel, unlike the stream {@link Process} gives, can be closed while a read waits on
 * it, which ends that read: a script whose background children keep its output open cannot hold the
 * reading, or the agent's thread, past the deadline the agent sets. Blocking.
 */
final class OutputPipe implements Closeable {

  private final Path path;
  private final FileChannel keeper;
  private final FileChannel reader;

  private OutputPipe(Path path, FileChannel keeper, FileChannel reader) {
    this.path = path;
    this.keeper = keeper;
    this.reader = reader;
  }

  /**
   * Makes the FIFO, mode 0600, and opens its read end. A second end, opened for reading and writing
   * (which Linux allows without waiting for a peer), lets both opens return at once and is closed
   * once the script holds its own write end.
   */
  static OutputPipe create(Path path) throws IOException, InterruptedException {
    Commands.Result made =
        Commands.run(Commands.Command.of("mkfifo", "-m", "600", "--", path.toString()));
    if (!made.ok()) {
      throw new IOException("cannot make the output pipe " + path + ": " + made.output().strip());
    }
    FileChannel keeper = null;
    try {
      keeper = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileChannel reader = FileChannel.open(path, StandardOpenOption.READ);
      return new OutputPipe(path, keeper, reader);
    } catch (IOException e) {
      if (keeper != null) {
        keeper.close();
      }
      Files.deleteIfExists(path);
      throw e;
    }
  }

  /** The FIFO, for the script's output to be redirected to. */
  File file() {
    return path.toFile();
  }

  /**
   * Called once the script started with its output in the pipe: from now on only the script and
   * what it starts hold a write end, so the read end sees its end when they all closed it. The
   * FIFO's name is no longer needed.
   */
  void started() throws IOException {
    keeper.close();
    Files.deleteIfExists(path);
  }

  /** The read end. */
  ReadableByteChannel channel() {
    return reader;
  }

  /** Closes both ends, ending a read that waits, and removes the FIFO if still there. */
  @Override
  public void close() throws IOException {
    try {
      keeper.close();
      reader.close();
    } finally {
      Files.deleteIfExists(path);
    }
  }
}
