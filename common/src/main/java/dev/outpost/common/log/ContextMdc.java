package dev.outpost.common.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.slf4j.MDC;
import org.slf4j.Marker;

/**
 * Puts the values bound to the current Vert.x context ({@link ContextValues}) into the MDC just
 * before a line is logged, so that every encoder sees them where it reads the MDC: the text
 * pattern's {@code %mdc} and the JSON encoder's {@code mdc} alike. Logback asks its turbo filters
 * first on every logging call, on the caller's thread; this one decides nothing.
 *
 * <p>What it put for the previous line on this thread it takes out again, unless code has set that
 * key since ({@code MDC.putCloseable}, around a synchronous call): a value set so wins over the
 * context's, and one the context no longer has does not linger. It knows its own values by
 * identity, not by content: it puts a copy of each, which no other code holds, so a value code sets
 * that equals the one it put for the previous line is still the code's.
 */
public final class ContextMdc extends TurboFilter {

  private static final ThreadLocal<Map<String, String>> PUT = ThreadLocal.withInitial(HashMap::new);

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    // isDebugEnabled() and the like pass no format, and a line below the logger's level is dropped
    if (format != null && level.isGreaterOrEqual(logger.getEffectiveLevel())) {
      sync(ContextValues.current());
    }
    return FilterReply.NEUTRAL;
  }

  /** Makes this thread's MDC hold {@code values}, besides what code set around the call. */
  public static void sync(Map<String, String> values) {
    Map<String, String> put = PUT.get();
    if (put.isEmpty() && values.isEmpty()) {
      return;
    }
    for (Iterator<Map.Entry<String, String>> it = put.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, String> entry = it.next();
      if (entry.getValue() == MDC.get(entry.getKey())) {
        MDC.remove(entry.getKey());
      }
      it.remove();
    }
    values.forEach(
        (key, value) -> {
          if (MDC.get(key) == null) {
            @SuppressWarnings("StringOperationCanBeSimplified") // a copy only this class holds
            String own = new String(value);
            MDC.put(key, own);
            put.put(key, own);
          }
        });
  }
}
