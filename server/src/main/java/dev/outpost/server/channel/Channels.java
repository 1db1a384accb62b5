package dev.outpost.server.channel;

import dev.outpost.server.db.Notices;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agents' channels this process holds, by computer, shared by every HTTP instance: at most one
 * per computer (a new one replaces the old) and at most {@code max} in all. Each channel is written
 * on the context that accepted it. Nudges come as PostgreSQL notices on {@value #CHANNEL}, from
 * whichever instance made the change ({@link Nudges}, migration V16): each names computers, and
 * those held here are told {@value #EXCHANGE}. Safe from any thread.
 */
public final class Channels implements Notices.Subscriber {

  /** The notice channel nudges come on. */
  public static final String CHANNEL = "outpost_nudges";

  /** The one text message the server sends on a channel. */
  public static final String EXCHANGE = "exchange";

  /** Close code of a channel another connection of the same computer replaced. */
  static final short REPLACED = 4000;

  /** Close code of a channel whose agent stopped answering pings. */
  static final short SILENT = 4001;

  private static final Logger LOG = LoggerFactory.getLogger(Channels.class);

  /** One open channel. */
  private static final class Open {
    final ServerWebSocket socket;
    final Context context;
    volatile long heardAtMillis;

    Open(ServerWebSocket socket, Context context, long now) {
      this.socket = socket;
      this.context = context;
      this.heardAtMillis = now;
    }
  }

  private final ConcurrentHashMap<Long, Open> open = new ConcurrentHashMap<>();
  private final AtomicInteger taken = new AtomicInteger();
  private final Vertx vertx;
  private final int max;
  private final long keepaliveMillis;
  private final long keepaliveTimer;
  private final Counter received;
  private final Counter sent;
  private volatile boolean listening;
  private volatile boolean everListened;

  /**
   * Holds at most {@code max} channels, pinging each every {@code keepaliveMillis} until {@link
   * #close}d; its meters go to {@code registry}.
   */
  public Channels(Vertx vertx, int max, long keepaliveMillis, MeterRegistry registry) {
    this.vertx = vertx;
    this.max = max;
    this.keepaliveMillis = keepaliveMillis;
    this.keepaliveTimer = vertx.setPeriodic(keepaliveMillis, id -> keepalive());
    Gauge.builder("outpost.channels.connected", open, Map::size)
        .description("agents' channels open on this server")
        .register(registry);
    received =
        Counter.builder("outpost.nudges.received")
            .description("computers named by the nudges this server heard")
            .register(registry);
    sent =
        Counter.builder("outpost.nudges.sent")
            .description("nudges written to agents' channels")
            .register(registry);
  }

  /**
   * Takes a place for a channel about to open; false when every place is taken. A place taken is
   * given back by {@link #release}, or when the channel {@link #opened} closes.
   */
  public boolean reserve() {
    return taken.getAndUpdate(n -> n < max ? n + 1 : n) < max;
  }

  /** Gives back a place whose channel did not open. */
  public void release() {
    taken.decrementAndGet();
  }

  /**
   * Holds a channel that just opened on the current context, in a place {@link #reserve}d; an older
   * channel of the same computer is closed.
   */
  public void opened(long computerId, ServerWebSocket socket) {
    Open channel = new Open(socket, Vertx.currentContext(), System.currentTimeMillis());
    socket.pongHandler(pong -> channel.heardAtMillis = System.currentTimeMillis());
    socket.closeHandler(
        v -> {
          open.remove(computerId, channel);
          taken.decrementAndGet();
        });
    Open replaced = open.put(computerId, channel);
    if (replaced != null) {
      replaced.context.runOnContext(
          v -> replaced.socket.close(REPLACED, "replaced by a newer channel"));
    }
  }

  /** Whether this process holds the computer's channel. */
  public boolean holds(long computerId) {
    return open.containsKey(computerId);
  }

  /** The channels open now. */
  public int size() {
    return open.size();
  }

  /** Tells the agents of these computers held here to exchange now; others are left alone. */
  public void nudge(Iterable<Long> computerIds) {
    Map<Context, List<Open>> byContext = new HashMap<>();
    for (Long id : computerIds) {
      received.increment();
      Open channel = open.get(id);
      if (channel != null) {
        byContext.computeIfAbsent(channel.context, c -> new ArrayList<>()).add(channel);
      }
    }
    onTheirContexts(
        byContext,
        channel -> {
          channel.socket.writeTextMessage(EXCHANGE);
          sent.increment();
        });
  }

  /**
   * Pings every channel, and closes those whose agent answered none of the last two pings: this is
   * a channel's only idle timeout (the HTTP one is taken out of its connection at the upgrade).
   */
  private void keepalive() {
    long silentBefore = System.currentTimeMillis() - 2 * keepaliveMillis - keepaliveMillis / 2;
    Map<Context, List<Open>> byContext = new HashMap<>();
    for (Open channel : open.values()) {
      byContext.computeIfAbsent(channel.context, c -> new ArrayList<>()).add(channel);
    }
    onTheirContexts(
        byContext,
        channel -> {
          if (channel.heardAtMillis < silentBefore) {
            channel.socket.close(SILENT, "no answer to pings");
          } else {
            channel.socket.writePing(Buffer.buffer());
          }
        });
  }

  private static void onTheirContexts(Map<Context, List<Open>> byContext, Consumer<Open> action) {
    byContext.forEach((context, channels) -> context.runOnContext(v -> channels.forEach(action)));
  }

  /** Stops pinging; the channels close with their connections. */
  public void close() {
    vertx.cancelTimer(keepaliveTimer);
  }

  @Override
  public void notice(String payload) {
    List<Long> ids = new ArrayList<>();
    for (String id : payload.split(",")) {
      try {
        ids.add(Long.parseLong(id));
      } catch (NumberFormatException e) {
        LOG.warn("a nudge named no computer, ignored [payload: {}]", id);
      }
    }
    nudge(ids);
  }

  /**
   * A nudge made while the notices did not reach this process is lost: when they reach it again,
   * every agent held here is nudged, so none waits for its regular exchange.
   */
  @Override
  public void listening(boolean listening) {
    boolean regained = listening && !this.listening && everListened;
    this.listening = listening;
    everListened |= listening;
    if (regained) {
      LOG.info("notices reach this server again, nudging every channel [channels: {}]", size());
      nudge(new ArrayList<>(open.keySet()));
    }
  }
}
