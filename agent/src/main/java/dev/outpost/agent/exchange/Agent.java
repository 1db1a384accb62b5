package dev.outpost.agent.exchange;

import dev.outpost.agent.config.Intervals;
import dev.outpost.agent.handlers.Handler;
import dev.outpost.agent.handlers.Handlers;
import dev.outpost.agent.handlers.Operation;
import dev.outpost.agent.handlers.OperationContext;
import dev.outpost.agent.handlers.Replies;
import dev.outpost.agent.state.AgentStore;
import dev.outpost.agent.state.Identity;
import dev.outpost.agent.state.JournalEntry;
import dev.outpost.common.error.OutpostException;
import dev.outpost.common.log.ContextValues;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One agent's loop: exchanges on its interval, sooner when a result waits or a ping says the server
 * has messages, later after failures; operations handed to their handlers and answered. Runs on the
 * context that starts it, and holds no thread of its own, so thousands can share a few event loops.
 *
 * <p>With its channel (once registered) the server tells the agent to exchange now: while the
 * channel is open the agent does not ping, and exchanges at once rather than after the urgent
 * interval when a result waits; while it is down the agent pings and waits as without it.
 */
public final class Agent {

  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

  /** The MDC's key of the operation an agent's line is about (the server's activity id). */
  public static final String OPERATION = "operation_id";

  /** The MDC's key of the computer this agent is (its insecure id, the server's computer id). */
  public static final String COMPUTER = "computer_id";

  /** The least time between two exchanges that running operations' output asks for. */
  static final Duration OUTPUT_SPACING = Duration.ofSeconds(1);

  private final Vertx vertx;
  private final Protocol protocol;
  private final ServerLink link;
  private final Handlers handlers;
  private final AgentSettings settings;
  private final AgentListener listener;
  private final RandomGenerator random;
  private final Promise<Void> terminated = Promise.promise();
  private final AgentStore store;
  private final Channel channel;

  /** The context the agent runs on: every field below is touched only there. */
  private final Context context;

  private final Timers timers;
  private Timers.Timer exchangeTimer;
  private Timers.Timer pingTimer;
  private long nextExchangeAt;
  private long notBefore;
  private boolean exchanging;
  private boolean urgentRequested;

  /** Asked to exchange soon while an exchange ran: the next one starts as that one ends. */
  private boolean soonRequested;

  private boolean stopped;
  private boolean registered;
  private boolean spread;
  private boolean channelUp;
  private int failures;
  private long lastOutputExchange = Long.MIN_VALUE / 2;
  private Timers.Timer outputTimer;

  /** Callers of {@link #exchangeNow} waiting for an exchange that has not started yet. */
  private List<Waiter> waiting = new ArrayList<>();

  /** Those the running exchange answers. */
  private List<Waiter> answering = List.of();

  /** When the running exchange started, or was meant to (nanoTime). */
  private long exchangeStart;

  /** A caller of {@link #exchangeNow}: when it meant the exchange to start, and its promise. */
  private record Waiter(long intendedNanos, Promise<Void> done) {}

  private Agent(
      Vertx vertx,
      AgentStore store,
      Protocol protocol,
      ServerLink link,
      Handlers handlers,
      AgentSettings settings,
      AgentListener listener,
      RandomGenerator random,
      Timers timers) {
    this.vertx = vertx;
    this.timers = timers;
    this.store = store;
    this.protocol = protocol;
    this.link = link;
    this.handlers = handlers;
    this.settings = settings;
    this.listener = listener;
    this.random = random;
    this.context = vertx.getOrCreateContext();
    this.channel =
        settings.channel() ? new Channel(vertx, link, random, new ChannelEvents()) : null;
  }

  /**
   * Loads the agent's state, answers what a previous run left unanswered, and starts the loop. Call
   * it on the context the agent is to run on.
   *
   * @param clock the time journal entries are stamped with
   */
  public static Future<Agent> start(
      Vertx vertx,
      AgentStore store,
      ServerLink link,
      Handlers handlers,
      AgentSettings settings,
      AgentListener listener,
      RandomGenerator random,
      Clock clock) {
    return start(vertx, store, link, handlers, settings, listener, random, clock, Timers.of(vertx));
  }

  /**
   * Starts an agent as {@link #start(Vertx, AgentStore, ServerLink, Handlers, AgentSettings,
   * AgentListener, RandomGenerator, Clock)} does, setting its timers on {@code timers}.
   */
  public static Future<Agent> start(
      Vertx vertx,
      AgentStore store,
      ServerLink link,
      Handlers handlers,
      AgentSettings settings,
      AgentListener listener,
      RandomGenerator random,
      Clock clock,
      Timers timers) {
    return Protocol.load(
            store, settings.registration(), handlers.types(), clock, settings.journalSize())
        .map(
            protocol ->
                new Agent(
                    vertx, store, protocol, link, handlers, settings, listener, random, timers))
        .compose(agent -> agent.recover().map(agent))
        .onSuccess(Agent::begin);
  }

  /** The protocol state, for looking at. */
  public Protocol protocol() {
    return protocol;
  }

  /** Completes when the agent stopped; fails when it stopped because its store failed. */
  public Future<Void> terminated() {
    return terminated.future();
  }

  /**
   * Exchanges as soon as possible (after a running exchange, never inside a backoff); may be called
   * from any thread.
   */
  public void exchangeSoon() {
    context.runOnContext(
        v -> {
          if (exchanging) {
            // a timer set now could be replaced by the regular one the running exchange sets as
            // it ends: a nudge that came with its answer was then lost until the next interval
            soonRequested = true;
          } else {
            schedule(Duration.ZERO, false);
          }
        });
  }

  /**
   * Exchanges now, or as soon as the running exchange has finished, even inside a backoff: for the
   * simulator's open model, which decides when exchanges happen. The exchange's time is counted
   * from {@code intendedNanos} ({@link System#nanoTime}), so that one that had to wait for the
   * agent counts the wait (no coordinated omission). May be called from any thread.
   *
   * @return completes when that exchange has finished, whatever its outcome
   */
  public Future<Void> exchangeNow(long intendedNanos) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(
        v -> {
          if (stopped) {
            done.tryComplete();
            return;
          }
          waiting.add(new Waiter(intendedNanos, done));
          exchange();
        });
    return done.future();
  }

  /**
   * Queues a message of the agent's own (a report: computer-info, packages...) for the next
   * exchange. One of a type the server does not accept is not queued, as the Landscape Client's
   * plugins do not send it, unless {@code evenIfNotAccepted}. May be called from any thread.
   *
   * @return whether it was queued
   */
  public Future<Boolean> report(Map<String, Object> message, boolean evenIfNotAccepted) {
    Promise<Boolean> queued = Promise.promise();
    context.runOnContext(
        v -> {
          if (stopped) {
            queued.complete(false);
          } else {
            protocol.report(message, evenIfNotAccepted).onComplete(queued);
          }
        });
    return queued.future();
  }

  /** Stops the loop and closes the store; running operations are left to the handlers' owner. */
  public Future<Void> stop() {
    if (stopped) {
      return terminated.future();
    }
    stopped = true;
    release(waiting);
    waiting = new ArrayList<>();
    cancel(exchangeTimer);
    cancel(pingTimer);
    cancel(outputTimer);
    keepChannel();
    return store.close().onComplete(done -> terminated.tryComplete()).mapEmpty();
  }

  private void begin() {
    // the listener hears of the registration at the first exchange answered as registered, also
    // when the agent came with its identity
    registered = false;
    keepChannel();
    if (!settings.driven()) {
      schedule(settings.firstExchange(), true);
      // an agent starts with its first exchange: a fleet ramping up ramps its pings up too
      schedulePing(
          settings.firstExchange().plusMillis(random.nextLong(intervals().ping().toMillis() + 1)));
    }
  }

  /**
   * Operations that were running when the agent died are answered FAILED, never run again; then the
   * handlers clean what they left.
   */
  private Future<Void> recover() {
    return protocol
        .interrupted()
        .compose(
            entries -> {
              Future<Void> chain = Future.succeededFuture();
              for (JournalEntry entry : entries) {
                chain = chain.compose(v -> interrupted(entry));
              }
              return chain;
            })
        .compose(v -> handlers.start());
  }

  private Future<Void> interrupted(JournalEntry entry) {
    LOG.warn(
        "operation interrupted by a restart, answering failed [id: {}, type: {}]",
        entry.operationId(),
        entry.type());
    Map<String, Object> reply =
        Replies.failed(
            entry.operationId(),
            "the agent restarted while " + "this operation was running; it was not run again");
    return handlers
        .find(entry.type())
        .map(h -> h.interrupted(entry))
        .orElse(Future.succeededFuture())
        .recover(e -> Future.succeededFuture())
        .compose(v -> protocol.finish(entry.operationId(), entry.type(), reply));
  }

  private void exchange() {
    if (stopped) {
      return;
    }
    if (exchanging) {
      urgentRequested = true;
      return;
    }
    exchanging = true;
    cancel(exchangeTimer);
    exchangeTimer = null;
    exchangeStart = System.nanoTime();
    if (!waiting.isEmpty()) {
      answering = waiting;
      waiting = new ArrayList<>();
      for (Waiter waiter : answering) {
        exchangeStart = Math.min(exchangeStart, waiter.intendedNanos());
      }
    }
    protocol.prepare().compose(this::send).onComplete(this::exchanged);
  }

  private static void release(List<Waiter> waiters) {
    waiters.forEach(w -> w.done().tryComplete());
  }

  private Future<Protocol.Outcome> send(Payload payload) {
    return link.exchange(payload)
        .recover(
            e -> Future.failedFuture(e instanceof ExchangeFailure ? e : new ExchangeFailure(e)))
        .compose(response -> protocol.apply(payload, response));
  }

  private void exchanged(AsyncResult<Protocol.Outcome> done) {
    exchanging = false;
    long nanos = System.nanoTime() - exchangeStart;
    List<Waiter> answered = answering;
    answering = List.of();
    boolean soon = soonRequested;
    soonRequested = false;
    try {
      settle(done, nanos);
    } finally {
      if (soon) {
        schedule(Duration.ZERO, false);
      }
      release(answered);
      if (!stopped && settings.driven() && !waiting.isEmpty()) {
        exchange();
      }
    }
  }

  private void settle(AsyncResult<Protocol.Outcome> done, long nanos) {
    if (stopped) {
      return;
    }
    if (done.failed()) {
      failed(done.cause(), nanos);
      return;
    }
    Protocol.Outcome outcome = done.result();
    boolean wasBackingOff = failures > 0;
    failures = 0;
    notBefore = 0;
    if (wasBackingOff) {
      LOG.info("exchange succeeded again");
    }
    if (outcome.registered() && !registered) {
      listener.registered();
    }
    registered = outcome.registered();
    keepChannel();
    listener.exchanged(outcome, nanos);
    schedule(nextInterval(), true);
    if (outcome.urgent() || urgentRequested) {
      schedule(urgentInterval(), false);
    }
    urgentRequested = false;
    // after the next exchange is set: an operation answered at once brings it forward
    outcome.operations().forEach(this::run);
    outcome.cancels().forEach(handlers::cancel);
  }

  /** Failures of the exchange back off; a failure to keep the state stops the agent. */
  private void failed(Throwable cause) {
    failed(cause, -1);
  }

  private void failed(Throwable cause, long nanos) {
    if (!(cause instanceof ExchangeFailure || cause instanceof OutpostException)) {
      LOG.error("the agent's state could not be kept, stopping [problem: {}]", cause.toString());
      stopped = true;
      cancel(pingTimer);
      release(waiting);
      keepChannel();
      store.close().onComplete(v -> terminated.tryFail(cause));
      return;
    }
    failures++;
    Duration delay = settings.backoff().delay(failures, random);
    notBefore = now() + delay.toMillis();
    LOG.warn(
        "exchange failed [failures: {}, retry in ms: {}, problem: {}]",
        failures,
        delay.toMillis(),
        cause.getMessage());
    if (nanos >= 0) {
      listener.exchangeFailed(cause, nanos);
    }
    schedule(delay, true);
  }

  /** The MDC's values while an operation runs: its id, and the computer's once registered. */
  private Map<String, String> logValues(long operationId) {
    Map<String, String> values = new HashMap<>();
    values.put(OPERATION, Long.toString(operationId));
    protocol
        .identity()
        .ifPresent(identity -> values.put(COMPUTER, Long.toString(identity.insecureId())));
    return values;
  }

  private void run(Protocol.Received received) {
    Operation operation =
        new Operation(
            received.operationId(),
            received.type(),
            received.message(),
            new Requests(received.operationId()));
    Optional<Handler> handler = handlers.find(received.type());
    Future<Map<String, Object>> reply;
    if (handler.isEmpty()) {
      reply =
          Future.succeededFuture(
              Replies.failed(
                  received.operationId(),
                  "this agent does not handle messages of type " + received.type()));
    } else {
      // the operation runs on a context of its own holding its id (and the computer's): the lines
      // its handler logs, in its asynchronous continuations too, carry them
      reply =
          ContextValues.within(
              logValues(received.operationId()),
              () -> {
                LOG.info(
                    "operation started [id: {}, type: {}]",
                    received.operationId(),
                    received.type());
                return handler.get().handle(operation);
              });
    }
    reply
        .recover(
            e ->
                Future.succeededFuture(
                    Replies.failed(
                        received.operationId(), received.type() + " failed: " + e.getMessage())))
        .compose(answer -> answer(received, answer));
  }

  private Future<Void> answer(Protocol.Received received, Map<String, Object> reply) {
    if (stopped) {
      return Future.succeededFuture();
    }
    boolean success = Replies.isSuccess(reply);
    try (var mdc = MDC.putCloseable(OPERATION, Long.toString(received.operationId()))) {
      LOG.info(
          "operation answered [id: {}, type: {}, success: {}]",
          received.operationId(),
          received.type(),
          success);
    }
    return protocol
        .finish(received.operationId(), received.type(), reply)
        .onSuccess(
            v -> {
              listener.answered(received.operationId(), success);
              requestUrgent();
            })
        .onFailure(this::failed);
  }

  /**
   * Output waits to be sent: the agent exchanges soon ({@link #exchangeSoon}), though not sooner
   * than {@link #OUTPUT_SPACING} after the last time output asked for it, so a chatty script costs
   * the server an exchange a second at most.
   */
  private void outputWaits(boolean queued) {
    if (!queued || outputTimer != null) {
      return;
    }
    long wait = lastOutputExchange + OUTPUT_SPACING.toMillis() - now();
    if (wait <= 0) {
      outputExchange();
    } else {
      outputTimer =
          timers.set(
              wait,
              () -> {
                outputTimer = null;
                outputExchange();
              });
    }
  }

  private void outputExchange() {
    lastOutputExchange = now();
    exchangeSoon();
  }

  private void requestUrgent() {
    if (exchanging) {
      urgentRequested = true;
    } else {
      schedule(urgentInterval(), false);
    }
  }

  /** The wait before an urgent exchange: none while the channel is up. */
  private Duration urgentInterval() {
    return channelUp ? Duration.ZERO : intervals().urgent();
  }

  /** Keeps the channel open while the agent runs registered, if it has one; closed otherwise. */
  private void keepChannel() {
    if (channel == null) {
      return;
    }
    Optional<Identity> identity = protocol.identity();
    if (stopped || identity.isEmpty()) {
      channel.close();
      channelUp = false;
    } else {
      channel.open(identity.get().secureId());
    }
  }

  /**
   * Sets the next exchange {@code delay} from now, never inside a backoff; unless {@code replace},
   * only when that is sooner than the one already set.
   */
  private void schedule(Duration delay, boolean replace) {
    if (stopped || settings.driven()) {
      return;
    }
    long now = now();
    long at = Math.max(now + delay.toMillis(), notBefore);
    if (!replace && exchangeTimer != null && nextExchangeAt <= at) {
      return;
    }
    cancel(exchangeTimer);
    nextExchangeAt = at;
    exchangeTimer =
        timers.set(
            Math.max(1, at - now),
            () -> {
              exchangeTimer = null;
              exchange();
            });
  }

  private static void cancel(Timers.Timer timer) {
    if (timer != null) {
      timer.cancel();
    }
  }

  private void schedulePing(Duration delay) {
    if (!stopped) {
      pingTimer = timers.set(Math.max(1, delay.toMillis()), this::ping);
    }
  }

  private void ping() {
    if (stopped || protocol.identity().isEmpty() || exchanging || channelUp) {
      schedulePing(intervals().ping());
      return;
    }
    askServer().onComplete(done -> schedulePing(intervals().ping()));
  }

  /** Pings once: an urgent exchange when the server says messages wait. */
  private Future<Void> askServer() {
    Optional<Identity> identity = protocol.identity();
    if (stopped || identity.isEmpty()) {
      return Future.succeededFuture();
    }
    return link.ping(identity.get().insecureId())
        .onComplete(
            answer -> {
              if (answer.succeeded() && answer.result()) {
                requestUrgent();
              } else if (answer.failed()) {
                LOG.debug("ping failed [problem: {}]", answer.cause().getMessage());
              }
            })
        .otherwiseEmpty()
        .mapEmpty();
  }

  /** The regular interval; the first one at a random point of it when the agent spreads. */
  private Duration nextInterval() {
    Duration interval = intervals().exchange();
    if (!settings.spread() || spread) {
      return interval;
    }
    spread = true;
    return Duration.ofMillis(1 + random.nextLong(interval.toMillis()));
  }

  /** The intervals the agent follows now: its own, with those the server set applied. */
  public Intervals intervals() {
    return settings.intervals().with(protocol.serverIntervals());
  }

  private static long now() {
    return System.nanoTime() / 1_000_000;
  }

  /** The channel's news, on the agent's context. */
  private final class ChannelEvents implements Channel.Events {

    /** A channel opened again may have missed nudges while it was down: the server is asked. */
    @Override
    public void up(boolean again) {
      channelUp = true;
      if (again) {
        askServer();
      }
    }

    @Override
    public void down() {
      channelUp = false;
    }

    @Override
    public void nudged() {
      exchangeSoon();
    }
  }

  /** What an operation may ask of this agent. */
  private final class Requests implements OperationContext {
    private final long operationId;

    Requests(long operationId) {
      this.operationId = operationId;
    }

    @Override
    public Future<Buffer> attachment(long attachmentId) {
      return protocol
          .identity()
          .map(identity -> link.attachment(attachmentId, identity.secureId()))
          .orElse(Future.failedFuture("the agent is not registered"));
    }

    @Override
    public Future<Void> output(long offset, String text) {
      Promise<Void> queued = Promise.promise();
      context.runOnContext(
          v ->
              protocol
                  .output(operationId, offset, text)
                  .onSuccess(sent -> outputWaits(sent))
                  .<Void>mapEmpty()
                  .onComplete(queued));
      return queued.future();
    }

    @Override
    public Future<Void> processStarted(long pid, Instant startedAt) {
      return protocol.processStarted(operationId, new JournalEntry.ChildProcess(pid, startedAt));
    }
  }
}
