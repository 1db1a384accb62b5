package dev.outpost.common.activity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StatusTest {

  /** Verifies that wire names and Landscape's aliases both parse, and nonsense does not. */
  @Test
  void parsesNamesAndLandscapeAliases() {
    assertThat(Status.parse("in-progress")).contains(Status.IN_PROGRESS);
    assertThat(Status.parse("Queued")).contains(Status.QUEUED);
    assertThat(Status.parse("undelivered")).contains(Status.QUEUED);
    assertThat(Status.parse("delivered")).contains(Status.IN_PROGRESS);
    assertThat(Status.parse("unapproved")).contains(Status.BLOCKED);
    assertThat(Status.parse("bogus")).isEmpty();
  }
}
