package dev.outpost.agent.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * A script's output cut into chunks as it comes: text as the final result has it, offsets exact.
 */
class LiveOutputTest {

  /**
   * Verifies that however the bytes are split between reads, the chunks put together are the output
   * decoded as the result decodes it, each starting at the code points sent before it.
   */
  @Property
  void chunksPutTogetherAreTheOutput(
      @ForAll String text, @ForAll @IntRange(min = 1, max = 7) int step, @ForAll boolean cutTail) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (cutTail && bytes.length > 0) {
      bytes = java.util.Arrays.copyOf(bytes, bytes.length - 1); // a character left unfinished
    }
    LiveOutput live = new LiveOutput();
    StringBuilder joined = new StringBuilder();
    long offset = 0;
    for (int at = 0; at < bytes.length; at += step) {
      byte[] part = java.util.Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + step));
      live.append(part, part.length);
      offset = drain(live, joined, offset);
    }
    live.end();
    offset = drain(live, joined, offset);

    String decoded = new String(bytes, StandardCharsets.UTF_8);
    assertThat(joined.toString()).isEqualTo(decoded);
    assertThat(offset).isEqualTo(decoded.codePointCount(0, decoded.length()));
  }

  /** Verifies that a long output comes in chunks of at most the cap, a pair of surrogates whole. */
  @Test
  void longOutputIsCutIntoChunksWithoutSplittingACharacter() {
    LiveOutput live = new LiveOutput();
    byte[] bytes = ("a" + "😀".repeat(LiveOutput.MAX_CHUNK)).getBytes(StandardCharsets.UTF_8);
    live.append(bytes, bytes.length);

    LiveOutput.Chunk first = live.take().orElseThrow();
    LiveOutput.Chunk second = live.take().orElseThrow();

    assertThat(first.text()).hasSize(LiveOutput.MAX_CHUNK - 1);
    assertThat(Character.isHighSurrogate(first.text().charAt(first.text().length() - 1))).isFalse();
    assertThat(second.offset()).isEqualTo(1 + (LiveOutput.MAX_CHUNK - 2) / 2);
  }

  private static long drain(LiveOutput live, StringBuilder joined, long offset) {
    for (Optional<LiveOutput.Chunk> chunk = live.take(); chunk.isPresent(); chunk = live.take()) {
      assertThat(chunk.get().offset()).isEqualTo(offset);
      joined.append(chunk.get().text());
      offset += chunk.get().text().codePoints().count();
    }
    return offset;
  }
}
