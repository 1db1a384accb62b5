package dev.outpost.server.exchange;

import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hashes of secure-ids this process has seen belong to registered computers, so that an exchange's
 * credentials are checked before its body is read without a query each time. Safe from any thread.
 * A computer removed since stays known here: its exchange is read and answered unknown-id as
 * before, which costs only its own body.
 */
final class KnownComputers {

  /** More than this and the set starts afresh (about 130 bytes an entry). */
  static final int MAX_ENTRIES = 250_000;

  private final Set<ByteBuffer> known = ConcurrentHashMap.newKeySet();

  boolean contains(byte[] secureIdHash) {
    return known.contains(ByteBuffer.wrap(secureIdHash));
  }

  void add(byte[] secureIdHash) {
    if (known.size() >= MAX_ENTRIES) {
      known.clear();
    }
    known.add(ByteBuffer.wrap(secureIdHash));
  }
}
