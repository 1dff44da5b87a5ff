package dev.ferry.journal.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TagTest {
  @Test
  void aTagIsATransactionalFerryTagMessageAndRoundTrips() {
    Tag tag = new Tag("month-end_2026.12");
    assertThat(Tag.of(tag.message())).contains(tag);
    assertThat(tag.message().prefix()).isEqualTo("ferry.tag");
  }

  @Test
  void otherMessagesAreNoTags() {
    byte[] name = "cut".getBytes(StandardCharsets.UTF_8);
    assertThat(Tag.of(new Change.Message("ferry.sync", true, name))).isEmpty();
    assertThat(Tag.of(new Change.Message("ferry.tag", false, name))).as("not transactional").isEmpty();
    assertThat(Tag.of(new Change.Message("ferry.tag", true, "no spaces".getBytes(StandardCharsets.UTF_8)))).isEmpty();
    assertThat(Tag.of(new Change.Truncate(java.util.List.of(), false, false))).isEmpty();
  }

  @Test
  void refusesNamesOutsideTheRuleNamingIt() {
    for (String bad : new String[] {"", "-x", "a b", "a/b", "x".repeat(64), "é"}) {
      assertThatThrownBy(() -> new Tag(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tag name '" + bad + "' is not valid");
    }
    assertThat(new Tag("x".repeat(63)).name()).hasSize(63);
  }
}
