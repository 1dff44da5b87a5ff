package dev.ferry.node.admin;

import dev.ferry.apply.ConflictType;
import dev.ferry.apply.jdbc.ConflictStore;
import dev.ferry.node.config.Durations;
import dev.ferry.node.run.ReplicaSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A question about the conflicts a replica recorded, as {@code GET /api/conflicts} and
 * {@code ferry conflicts} take it (parameters as text, checked once here), and the three things
 * done with its target: list, show one, mark one resolved. Both the admin API and the command line
 * go through it, on a connection marked as Ferry's ({@link ReplicaSpec#connect}), so a read-only
 * replica lets the mark through and nobody else. Immutable.
 *
 * @param table {@code schema.table}, when only that table's
 * @param type a {@link ConflictType} label or {@value ConflictStore#SKIPPED}, when only that type
 * @param since only those detected at or after it
 * @param resolved only the resolved ({@code true}) or only the unresolved ({@code false})
 */
public record ConflictQuery(Optional<String> table, Optional<String> type, Optional<Instant> since,
    Optional<Boolean> resolved, int limit) {
  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;
  /** The parameters {@link #parse} reads besides {@code replica}. */
  public static final List<String> PARAMETERS = List.of("table", "type", "since", "resolved", "limit");

  public ConflictQuery {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit " + limit + " is out of range 1.." + MAX_LIMIT);
    }
  }

  /**
   * The query the parameters {@code param} answers make ({@code null} for one not given); a
   * relative {@code since} ({@code 2h}) counts back from {@code clock}'s now.
   *
   * @throws IllegalArgumentException naming the parameter and what it may be
   */
  public static ConflictQuery parse(Function<String, String> param, InstantSource clock) {
    Optional<String> type = given(param, "type");
    if (type.isPresent() && !types().contains(type.get())) {
      throw new IllegalArgumentException("unknown conflict type '" + type.get() + "'; the types are " + types());
    }
    Optional<Instant> since = given(param, "since").map(s -> since(s, clock));
    Optional<Boolean> resolved = given(param, "resolved").map(ConflictQuery::yesOrNo);
    long limit = given(param, "limit").map(l -> number("limit", l)).orElse((long) DEFAULT_LIMIT);
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit " + limit + " is out of range 1.." + MAX_LIMIT);
    }
    return new ConflictQuery(given(param, "table"), type, since, resolved, (int) limit);
  }

  /** The conflict types a query may name: the six a replica detects, and {@value ConflictStore#SKIPPED}. */
  public static List<String> types() {
    List<String> all = new ArrayList<>(Arrays.stream(ConflictType.values()).map(ConflictType::label).toList());
    all.add(ConflictStore.SKIPPED);
    return all;
  }

  /** {@code text} as a number, or an error naming {@code what}. */
  public static long number(String what, String text) {
    try {
      return Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " '" + text + "' is not a number");
    }
  }

  /** The conflicts of {@code replica} this query selects, newest first. */
  public List<ConflictStore.Conflict> list(ReplicaSpec replica) throws SQLException {
    try (Connection c = replica.connect()) {
      return ConflictStore.list(c, new ConflictStore.Filter(replica.name(), table, type, since, resolved, limit));
    }
  }

  /** Conflict {@code id} of {@code replica}, if it recorded one. */
  public static Optional<ConflictStore.Conflict> show(ReplicaSpec replica, long id) throws SQLException {
    try (Connection c = replica.connect()) {
      return ConflictStore.get(c, replica.name(), id);
    }
  }

  /**
   * Marks conflict {@code id} of {@code replica} resolved, in Ferry's own session.
   *
   * @return the conflict as marked; empty when the replica recorded no such conflict
   */
  public static Optional<ConflictStore.Conflict> resolve(ReplicaSpec replica, long id,
      ConflictStore.Resolution resolution) throws SQLException, ConflictStore.AlreadyResolvedException {
    try (Connection c = replica.connect()) {
      return ConflictStore.resolve(c, replica.name(), id, resolution);
    }
  }

  private static Optional<String> given(Function<String, String> param, String name) {
    return Optional.ofNullable(param.apply(name)).map(String::strip).filter(v -> !v.isEmpty());
  }

  private static Instant since(String text, InstantSource clock) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException notATime) {
      try {
        return clock.instant().minus(Durations.parse(text));
      } catch (IllegalArgumentException notADuration) {
        throw new IllegalArgumentException("since '" + text + "' is neither a time (2026-12-06T10:00:00Z) nor a"
            + " duration back from now (30m, 2h, 7d)");
      }
    }
  }

  private static boolean yesOrNo(String text) {
    return switch (text) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("resolved '" + text + "' is neither true nor false");
    };
  }
}
