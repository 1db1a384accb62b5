package dev.outpost.agent.handlers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * What a script printed, up to a cap: the rest is read and dropped, so the script never blocks
 * on a full pipe. Filled by one thread and read by another.
 */
final class CappedOutput {

  private final int cap;
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private boolean truncated;

  CappedOutput(int cap) {
    this.cap = cap;
  }

  /** Reads the stream to its end. Blocking. */
  void drain(InputStream in) throws IOException {
    byte[] chunk = new byte[8192];
    for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
      append(chunk, n);
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
    kept.write(chunk, 0, Math.max(0, Math.min(room, length)));
  }
}
