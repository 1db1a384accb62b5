package dev.outpost.common.log;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.spi.VertxServiceProvider;
import io.vertx.core.spi.context.storage.ContextLocal;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The MDC's values bound to a Vert.x context rather than to a thread: a request's, a job's. Vert.x
 * runs each HTTP request on a context of its own (a duplicate of the event loop's), and the
 * continuations of what it starts there (a database call, a timer, blocking work) run on that
 * context again, on whichever thread; so values kept on the context mark every line logged for it,
 * where values kept in a thread's MDC would mark other requests' lines or be gone. {@link
 * ContextMdc} copies them into the MDC as each line is logged.
 *
 * <p>Immutable: binding a value replaces the map, so a duplicate made before keeps what it had.
 */
public record ContextValues(Map<String, String> values) {

  private static final ContextValues NONE = new ContextValues(Map.of());

  /** Registers the context-local storage while Vert.x boots, before any context exists. */
  public static final class Storage implements VertxServiceProvider {

    static final ContextLocal<ContextValues> LOCAL =
        ContextLocal.registerLocal(ContextValues.class);

    @Override
    public void init(VertxBootstrap builder) {
      // the registration is the static field's: made when Vert.x loads this provider
    }
  }

  /** The values bound to the current context; none outside one. */
  public static Map<String, String> current() {
    Context context = Vertx.currentContext();
    if (context == null) {
      return Map.of();
    }
    ContextValues bound = context.getLocal(Storage.LOCAL);
    return bound == null ? Map.of() : bound.values;
  }

  /**
   * Starts {@code work} on a context of its own, a duplicate of the current one holding its values
   * and {@code values}: every line logged by the work and its continuations carries them. The
   * future returned completes back on the current context, whose lines do not. Off a Vert.x context
   * it just starts the work. A work that throws gives a failed future.
   */
  public static <T> Future<T> within(Map<String, String> values, Supplier<Future<T>> work) {
    if (!(Vertx.currentContext() instanceof ContextInternal current)) {
      try {
        return work.get();
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }
    ContextInternal context = current.duplicate();
    inherit(current, context);
    values.forEach((key, value) -> bind(context, key, value));
    PromiseInternal<T> promise = current.promise();
    context.dispatch(
        v -> {
          try {
            work.get().onComplete(promise);
          } catch (RuntimeException e) {
            promise.fail(e);
          }
        });
    return promise.future();
  }

  /** Gives a context the values bound to another. */
  public static void inherit(Context from, Context to) {
    ContextValues bound = from.getLocal(Storage.LOCAL);
    if (bound != null) {
      to.putLocal(Storage.LOCAL, bound);
    }
  }

  /** Binds a value to a context, replacing the key's value there. */
  public static void bind(Context context, String key, String value) {
    ContextValues bound = context.getLocal(Storage.LOCAL);
    Map<String, String> values = new HashMap<>(bound == null ? NONE.values : bound.values);
    values.put(key, value);
    context.putLocal(Storage.LOCAL, new ContextValues(Map.copyOf(values)));
  }
}
