package dev.outpost.server.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.common.error.OutpostException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** When triggers are due: the next time after now, read in the trigger's time zone. */
class TriggerTest {

  private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

  /**
   * Verifies that an every-n-minutes trigger's next time is the first multiple of n minutes
   * strictly after now (and after its start), however long since the last: missed times are not
   * caught up one by one.
   */
  @Property(tries = 200)
  void theNextTimeIsTheFirstDueTimeAfterNow(
      @ForAll @IntRange(min = 1, max = 30) int every,
      @ForAll @LongRange(min = 0, max = 400L * 24 * 3600) long secondsLater,
      @ForAll @LongRange(min = 0, max = 3 * 24 * 3600) long startAfter) {
    Trigger.Recurring trigger =
        new Trigger.Recurring(
            START.plusSeconds(startAfter), "*/" + every + " * * * *", ZoneId.of("UTC"));
    Instant now = START.plusSeconds(secondsLater);

    Instant next = trigger.nextAfter(now).orElseThrow();

    Instant from = now.isBefore(trigger.startAfter()) ? trigger.startAfter() : now;
    assertThat(next).isAfter(from);
    ZonedDateTime at = next.atZone(ZoneId.of("UTC"));
    assertThat(at.getSecond()).isZero();
    assertThat(at.getMinute() % every).isZero();
    // no due time lies between the start point and it
    for (ZonedDateTime minute =
            from.atZone(ZoneId.of("UTC")).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        minute.toInstant().isBefore(next);
        minute = minute.plusMinutes(1)) {
      assertThat(minute.getMinute() % every).as(minute.toString()).isNotZero();
    }
  }

  /** Verifies that a daily time is read in the trigger's zone, across a change of summer time. */
  @Example
  void aDailyTimeIsReadInItsTimeZone() {
    Trigger.Recurring paris = new Trigger.Recurring(START, "0 3 * * *", ZoneId.of("Europe/Paris"));

    assertThat(paris.nextAfter(Instant.parse("2030-01-10T12:00:00Z")))
        .contains(Instant.parse("2030-01-11T02:00:00Z"));
    assertThat(paris.nextAfter(Instant.parse("2030-07-10T12:00:00Z")))
        .contains(Instant.parse("2030-07-11T01:00:00Z"));
  }

  /** Verifies that a one-time trigger is due once and then never, and an event never by time. */
  @Example
  void aOneTimeTriggerIsDueOnce() {
    Trigger once = new Trigger.OneTime(START.plusSeconds(60));

    assertThat(once.nextAfter(START)).contains(START.plusSeconds(60));
    assertThat(once.nextAfter(START.plusSeconds(60))).isEmpty();
    assertThat(new Trigger.PostEnrollment().nextAfter(START)).isEmpty();
  }

  /** Verifies that malformed triggers are refused by the part at fault. */
  @Example
  void malformedTriggersAreRefusedByName() {
    assertThatThrownBy(() -> read(new JsonObject().put("trigger_type", "weekly")))
        .isInstanceOf(OutpostException.class)
        .hasMessageContaining("trigger_type");
    assertThatThrownBy(
            () -> read(new JsonObject().put("trigger_type", "recurring").put("interval", "* *")))
        .hasMessageContaining("interval");
    assertThatThrownBy(
            () ->
                read(
                    new JsonObject()
                        .put("trigger_type", "recurring")
                        .put("interval", "0 3 * * *")
                        .put("start_after", "tomorrow")))
        .hasMessageContaining("start_after");
    assertThatThrownBy(
            () -> read(new JsonObject().put("trigger_type", "event").put("event_type", "boot")))
        .hasMessageContaining("post_enrollment");
    assertThatThrownBy(
            () ->
                read(
                    new JsonObject()
                        .put("trigger_type", "one_time")
                        .put("timestamp", START.toString())
                        .put("extra", 1)))
        .hasMessageContaining("extra");
  }

  private static Trigger read(JsonObject json) {
    return Trigger.read(json, START);
  }
}
