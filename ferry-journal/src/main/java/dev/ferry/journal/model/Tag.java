package dev.ferry.journal.model;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A named cut-off marker in the replicated stream ({@code ferry tag NAME}): a transactional
 * {@link Change.Message} with prefix {@value #PREFIX} whose content is the name in UTF-8. It sits at
 * the exact place in the stream where the source committed it, so {@code until: tag:NAME} stops a
 * replica there. The journal stores it as any other message (no format change).
 *
 * @param name 1 to 63 characters: a letter or digit, then letters, digits, {@code . _ -}
 */
public record Tag(String name) {
  /** The message prefix that makes a message a tag. */
  public static final String PREFIX = "ferry.tag";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  public Tag {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("tag name '" + name + "' is not valid: give 1 to 63 characters, a letter"
          + " or digit first, then letters, digits, '.', '_' or '-'");
    }
  }

  /** The tag {@code change} carries, if it is one. */
  public static Optional<Tag> of(Change change) {
    if (change instanceof Change.Message m && m.transactional() && m.prefix().equals(PREFIX)) {
      String text = new String(m.content(), StandardCharsets.UTF_8);
      return NAME.matcher(text).matches() ? Optional.of(new Tag(text)) : Optional.empty();
    }
    return Optional.empty();
  }

  /** The message that carries this tag. */
  public Change.Message message() {
    return new Change.Message(PREFIX, true, name.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return name;
  }
}
