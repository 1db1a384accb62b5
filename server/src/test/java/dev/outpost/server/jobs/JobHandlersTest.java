package dev.outpost.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The start-up check of the job handlers against the server-kind activity types. */
class JobHandlersTest {

  private static final JobHandler NOTHING = context -> Future.succeededFuture("nothing done");

  /** Verifies that a handler for every server-kind type, and no other, passes. */
  @Test
  void aHandlerForEveryServerTypePasses() {
    Map<String, JobHandler> handlers = every();

    assertThat(JobHandlers.checked(handlers)).isEqualTo(handlers);
  }

  /** Verifies that a server-kind type without a handler is refused, the type named. */
  @Test
  void aServerTypeWithoutAHandlerIsRefusedByName() {
    Map<String, JobHandler> handlers = every();
    handlers.remove("SyncPocketRequest");

    assertThatThrownBy(() -> JobHandlers.checked(handlers))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("server activity type SyncPocketRequest has no job handler");
  }

  /** Verifies that a handler under a name no activity type has is refused, the name given. */
  @Test
  void aHandlerUnderAnUnknownNameIsRefusedByName() {
    Map<String, JobHandler> handlers = every();
    handlers.put("ArchiveRequests", NOTHING);

    assertThatThrownBy(() -> JobHandlers.checked(handlers))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("a job handler is registered for 'ArchiveRequests', which is no activity type");
  }

  /** Verifies that a handler under a client-kind type is refused: agents run those. */
  @Test
  void aHandlerForAClientTypeIsRefused() {
    Map<String, JobHandler> handlers = every();
    handlers.put("ExecuteScriptRequest", NOTHING);

    assertThatThrownBy(() -> JobHandlers.checked(handlers))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ExecuteScriptRequest, which is a client activity type");
  }

  /** Verifies that every problem is named at once, so one start says all that is wrong. */
  @Test
  void everyProblemIsNamedAtOnce() {
    Map<String, JobHandler> handlers = every();
    handlers.remove("ArchiveRequest");
    handlers.put("Bogus", NOTHING);

    assertThatThrownBy(() -> JobHandlers.checked(handlers))
        .hasMessageContaining("ArchiveRequest has no job handler")
        .hasMessageContaining("'Bogus'");
  }

  private static Map<String, JobHandler> every() {
    Map<String, JobHandler> handlers = new HashMap<>();
    JobHandlers.serverTypes().forEach(type -> handlers.put(type, NOTHING));
    return handlers;
  }
}
