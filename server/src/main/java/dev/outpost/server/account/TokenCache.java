package dev.outpost.server.account;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Who recently seen admin tokens belong to, so that an API call need not look its token up in the
 * database. Safe from any thread: every HTTP event loop shares one.
 *
 * <p>An entry lives at most {@code ttl}, and every entry goes as soon as a token changes ({@link
 * #invalidate()}: on a change made here, and on PostgreSQL's notice of a change made by any
 * instance, see {@link TokenChanges}). While nothing tells this process of changes (the notice
 * channel is down) the cache answers nothing. Unknown tokens are never cached: a token created a
 * moment ago works at once, and guessing cannot fill memory.
 */
public final class TokenCache {

  /** More entries than this and the cache starts afresh: admins are few, so this is a flood. */
  static final int MAX_ENTRIES = 10_000;

  private record Entry(Admin admin, long expiresAtMillis) {}

  private final Clock clock;
  private final long ttlMillis;
  private final ConcurrentHashMap<ByteBuffer, Entry> entries = new ConcurrentHashMap<>();

  /** Bumped by every invalidation, so that a lookup begun before one stores nothing after it. */
  private final AtomicLong generation = new AtomicLong();

  private volatile boolean informed;

  /**
   * Creates a cache whose entries live at most {@code ttl}; a zero ttl caches nothing. It answers
   * only once {@link #informed(boolean)} says changes reach it.
   */
  public TokenCache(Clock clock, Duration ttl) {
    this.clock = clock;
    this.ttlMillis = ttl.toMillis();
  }

  /** A cache that caches nothing. */
  public static TokenCache disabled() {
    return new TokenCache(Clock.systemUTC(), Duration.ZERO);
  }

  /** Whether entries are kept at all. */
  public boolean enabled() {
    return ttlMillis > 0;
  }

  /** The admin of a token hash, while known and fresh. */
  Optional<Admin> get(byte[] tokenHash) {
    if (!informed || !enabled()) {
      return Optional.empty();
    }
    ByteBuffer key = ByteBuffer.wrap(tokenHash);
    Entry entry = entries.get(key);
    if (entry == null) {
      return Optional.empty();
    }
    if (clock.millis() >= entry.expiresAtMillis()) {
      entries.remove(key, entry);
      return Optional.empty();
    }
    return Optional.of(entry.admin());
  }

  /** The current generation: take it before looking a token up, hand it to {@link #put}. */
  long generation() {
    return generation.get();
  }

  /** Remembers a token's admin, unless tokens changed since {@code seenGeneration}. */
  void put(byte[] tokenHash, Admin admin, long seenGeneration) {
    if (!informed || !enabled()) {
      return;
    }
    if (entries.size() >= MAX_ENTRIES) {
      entries.clear();
    }
    ByteBuffer key = ByteBuffer.wrap(tokenHash.clone());
    long expires = clock.millis() + ttlMillis;
    // an expiring token is forgotten when it expires, however long entries live otherwise
    expires =
        admin
            .expiresAt()
            .map(at -> Math.min(at.toEpochMilli(), clock.millis() + ttlMillis))
            .orElse(expires);
    entries.put(key, new Entry(admin, expires));
    // an invalidation that ran meanwhile may have missed the entry just put: take it back
    if (generation.get() != seenGeneration) {
      entries.remove(key);
    }
  }

  /** Forgets every token: one changed somewhere. */
  public void invalidate() {
    generation.incrementAndGet();
    entries.clear();
  }

  /**
   * Says whether changes to tokens reach this process; while they do not, the cache answers
   * nothing, and whatever it held is forgotten (changes may have been missed meanwhile).
   */
  public void informed(boolean informed) {
    this.informed = informed;
    invalidate();
  }
}
