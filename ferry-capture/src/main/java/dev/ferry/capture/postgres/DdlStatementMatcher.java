package dev.ferry.capture.postgres;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Finds which statement of a query string a {@code ddl_command_end} event belongs to. The event
 * trigger reports the command tags of every top-level DDL event the query string has fired so far
 * (kept in a session setting, so work a ROLLBACK undid has vanished from it, exactly as the rolled
 * back statements vanished); the last tag is the current event's. The matcher takes the statement
 * with that tag such that the earlier tags are exactly, in order, the statements before it that
 * fire event triggers and that no ROLLBACK or ROLLBACK TO before it undid — and only when exactly one statement fits. Without a
 * rollback in the string one always does; after one, a DDL the rollback undid and a later one of
 * the same kind can fit alike (the undone event has left no trace), and then the matcher refuses
 * to guess.
 *
 * <p>Transaction control in one query string follows the server: statements run in one implicit
 * block until a COMMIT or ROLLBACK; a BEGIN inside it turns it into an explicit block that still
 * holds the earlier statements; a ROLLBACK undoes everything since the block started; ROLLBACK TO
 * undoes everything since its SAVEPOINT. Stateless and thread-safe.
 */
final class DdlStatementMatcher {
  private record Savepoint(String name, int index) {
  }

  private DdlStatementMatcher() {
  }

  /** The index in {@code statements} of the statement that fired the last of {@code eventTags}. */
  static OptionalInt match(List<SqlLexer.Statement> statements, List<String> eventTags) {
    if (eventTags.isEmpty()) {
      return OptionalInt.empty();
    }
    String[] tags = statements.stream().map(CommandTags::tag).toArray(String[]::new);
    int[] undoneAt = undoneAt(statements);
    String current = eventTags.getLast();
    OptionalInt found = OptionalInt.empty();
    for (int c = 0; c < tags.length; c++) {
      if (tags[c].equals(current) && earlierMatch(tags, undoneAt, eventTags, c)) {
        if (found.isPresent()) {
          return OptionalInt.empty();
        }
        found = OptionalInt.of(c);
      }
    }
    return found;
  }

  /** The earlier events are exactly the event-firing statements before the candidate that survived. */
  private static boolean earlierMatch(String[] tags, int[] undoneAt, List<String> eventTags, int candidate) {
    int e = 0;
    for (int i = 0; i < candidate; i++) {
      if (undoneAt[i] > candidate && CommandTags.firesEventTrigger(tags[i])) {
        if (e == eventTags.size() - 1 || !tags[i].equals(eventTags.get(e))) {
          return false;
        }
        e++;
      }
    }
    return e == eventTags.size() - 1;
  }

  /** For each statement, the index of the statement that rolled it back, else MAX_VALUE. */
  static int[] undoneAt(List<SqlLexer.Statement> statements) {
    int[] undone = new int[statements.size()];
    Arrays.fill(undone, Integer.MAX_VALUE);
    int blockStart = 0;
    Deque<Savepoint> savepoints = new ArrayDeque<>();
    for (int i = 0; i < statements.size(); i++) {
      SqlLexer.Statement s = statements.get(i);
      switch (CommandTags.control(s)) {
        case COMMIT -> {
          blockStart = i + 1;
          savepoints.clear();
        }
        case ROLLBACK -> {
          markUndone(undone, blockStart, i);
          blockStart = i + 1;
          savepoints.clear();
        }
        case SAVEPOINT -> savepoints.push(new Savepoint(CommandTags.savepoint(s), i));
        case ROLLBACK_TO -> {
          Optional<Integer> at = rollbackTo(savepoints, CommandTags.savepoint(s));
          if (at.isPresent()) {
            markUndone(undone, at.get() + 1, i);
          }
        }
        case RELEASE -> {
          if (rollbackTo(savepoints, CommandTags.savepoint(s)).isPresent()) {
            savepoints.pop();
          }
        }
        case BEGIN, NONE -> {
        }
      }
    }
    return undone;
  }

  /** Pops the savepoints above the latest one named {@code name}; its index, if there is one. */
  private static Optional<Integer> rollbackTo(Deque<Savepoint> savepoints, String name) {
    if (savepoints.stream().noneMatch(p -> p.name().equals(name))) {
      return Optional.empty();
    }
    while (!savepoints.peek().name().equals(name)) {
      savepoints.pop();
    }
    return Optional.of(savepoints.peek().index());
  }

  private static void markUndone(int[] undone, int from, int at) {
    for (int j = from; j < at; j++) {
      undone[j] = Math.min(undone[j], at);
    }
  }
}
