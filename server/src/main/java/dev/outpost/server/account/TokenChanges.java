package dev.outpost.server.account;

import dev.outpost.server.db.Notices;

/**
 * Tells the token cache of every change to admin tokens, made by any instance: a trigger on {@code
 * admin_tokens} notifies {@value #CHANNEL} (migration V8). While the notices do not reach this
 * process the cache answers nothing.
 */
public final class TokenChanges implements Notices.Subscriber {

  /** The channel the {@code admin_tokens} trigger notifies. */
  public static final String CHANNEL = "outpost_admin_tokens";

  private final TokenCache cache;

  /** Informs the given cache. */
  public TokenChanges(TokenCache cache) {
    this.cache = cache;
  }

  @Override
  public void notice(String payload) {
    cache.invalidate();
  }

  @Override
  public void listening(boolean listening) {
    cache.informed(listening);
  }
}
