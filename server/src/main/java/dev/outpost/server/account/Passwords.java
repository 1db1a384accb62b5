package dev.outpost.server.account;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import dev.outpost.common.error.OutpostException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Administrators' passwords, hashed with Argon2id (password4j) into PHC strings. Hashing is meant
 * to be slow: it runs on a pool of its own, a few at a time, never on an event loop, and past
 * {@link #MAX_WAITING} hashes waiting more are refused 503, so that sign-ins cannot starve the
 * server.
 */
public final class Passwords {

  /**
   * OWASP's first choice for Argon2id: 19 MiB, 2 passes, one lane. Loaded on first use, on a
   * hashing thread: password4j's set-up reads its settings and may wait for the kernel's entropy,
   * which no event loop may.
   */
  private static final class Argon2id {
    static final Argon2Function FUNCTION = Argon2Function.getInstance(19_456, 2, 1, 32, Argon2.ID);
    static final SecureRandom RANDOM = new SecureRandom();
  }

  /** Hashes waiting or running at once, at most; more get 503. */
  static final int MAX_WAITING = 64;

  /** The shortest and longest password accepted. */
  public static final int MIN_LENGTH = 12;

  public static final int MAX_LENGTH = 256;

  /**
   * Checked against when no administrator matched, so that a miss takes as long as a wrong one;
   * made on first use, on a hashing thread.
   */
  private static final class Decoy {
    static final String HASH = hash("a password nobody has, to spend the time");
  }

  private final WorkerExecutor workers;
  private final AtomicInteger waiting = new AtomicInteger();

  /** Hashes on {@code threads} threads of their own. */
  public Passwords(Vertx vertx, int threads) {
    this.workers = vertx.createSharedWorkerExecutor("outpost-passwords", threads);
  }

  /** A password refused by name unless its length is within the bounds. */
  public static String checked(String password) {
    if (password.length() < MIN_LENGTH || password.length() > MAX_LENGTH) {
      throw OutpostException.badRequest(
          "a password has " + MIN_LENGTH + " to " + MAX_LENGTH + " characters");
    }
    return password;
  }

  /** The PHC string of a new password, hashed off the event loop. */
  public Future<String> hashLater(String password) {
    return run(() -> hash(password));
  }

  /**
   * Whether the password matches the hash; with no hash (no such administrator, or none set) a
   * decoy is checked, so that the answer takes as long, and is false.
   */
  public Future<Boolean> verify(String password, String phc) {
    return run(() -> phc == null ? matchesNone(password) : matches(password, phc));
  }

  private <T> Future<T> run(java.util.concurrent.Callable<T> work) {
    if (waiting.incrementAndGet() > MAX_WAITING) {
      waiting.decrementAndGet();
      return Future.failedFuture(
          OutpostException.busy("too many sign-ins at once; try again in a moment", 1));
    }
    return workers.executeBlocking(work, false).onComplete(done -> waiting.decrementAndGet());
  }

  static String hash(String password) {
    // the salt from the JDK's default SecureRandom: password4j's own asks for a "strong" one,
    // which may block on the kernel's entropy
    byte[] salt = new byte[16];
    Argon2id.RANDOM.nextBytes(salt);
    return Password.hash(password).addSalt(salt).with(Argon2id.FUNCTION).getResult();
  }

  /** Spends a check's time on the decoy, and answers false. */
  private static boolean matchesNone(String password) {
    matches(password, Decoy.HASH);
    return false;
  }

  static boolean matches(String password, String phc) {
    try {
      return Password.check(password, phc).with(Argon2Function.getInstanceFromHash(phc));
    } catch (RuntimeException e) {
      return false; // not a hash this server made
    }
  }

  /** Stops the hashing threads. */
  public Future<Void> close() {
    return workers.close();
  }
}
