package dev.outpost.agent.handlers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * What a script printed, up to a cap: the rest is read and dropped, so the script never blocks on a
 * full pipe. Filled by one thread and read by another, which may read it before the end.
 */
final class CappedOutput {

  private final int cap;
  private final LiveOutput live;
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private boolean truncated;

  /** Output kept up to {@code cap} bytes, what is kept passed on to {@code live} as it comes. */
  CappedOutput(int cap, LiveOutput live) {
    this.cap = cap;
    this.live = live;
  }

  /**
   * Reads the channel to its end, or until it is closed, which is no failure: what was read is
   * kept. Blocking.
   */
  void drain(ReadableByteChannel in) throws IOException {
    ByteBuffer chunk = ByteBuffer.allocate(8192);
    try {
      while (in.read(chunk) >= 0) {
        append(chunk.array(), chunk.position());
        chunk.clear();
      }
    } catch (ClosedChannelException e) {
      // closed at its deadline (or before the reading began)
    }
  }

  /** The output so far, as UTF-8 (malformed bytes replaced), marked when it was cut. */
  synchronized String text() {
    String text = kept.toString(StandardCharsets.UTF_8);
    return truncated ? text + "\n[output truncated at " + cap / 1024 + " KiB]" : text;
  }

  private synchronized void append(byte[] chunk, int length) {
    int room = cap - kept.size();
    if (length > room) {
      truncated = true;
    }
    int keep = Math.max(0, Math.min(room, length));
    kept.write(chunk, 0, keep);
    if (keep > 0) {
      live.append(chunk, keep);
    }
  }
}
