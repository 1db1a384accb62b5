package dev.outpost.server.db;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatabaseTest {

  /**
   * Verifies that a malformed database URL is named without its password, in the message and in any
   * cause, since the message is printed and logged.
   */
  @Test
  void aMalformedUrlIsNamedWithoutItsPassword() {
    assertThatThrownBy(() -> Database.connectOptions("postgresql://outpost:s3cret@db:port/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a postgresql:// URL: 'postgresql://outpost:***@db:port/x'")
        .hasNoCause();
  }
}
