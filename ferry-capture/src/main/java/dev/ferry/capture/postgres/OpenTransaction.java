package dev.ferry.capture.postgres;

import dev.ferry.capture.TransactionSink;
import dev.ferry.journal.LargeTransactionWriter;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What capture holds of one transaction it is reading: the changes not yet handed to the sink,
 * the relations touched (for the sequence values it ends with) and, for one the server streams
 * while in progress, its chunks so far and the changes its rolled-back subtransactions made.
 *
 * <p>Not thread-safe: the capture thread's.
 */
final class OpenTransaction {
  final List<Change> changes = new ArrayList<>();
  long bytes;
  /** Relation ids touched, in first-touch order ({@code touchedCount} of them). */
  int[] touched = new int[8];
  int touchedCount;
  /** The same ids as a set, once it touched more than 16 relations; else null. */
  private Set<Integer> touchedIndex;
  final SequenceValues sequenceValues;
  /** Whether it ran DDL (a {@code ferry.ddl} message). */
  boolean ddl;
  /** The schema sequence of its last DDL, or -1. */
  long ddlSchemaSequence = -1;

  /** For a streamed transaction: its top-level xid. */
  final int xid;
  /** For a streamed transaction: written under a replication origin, so dropped (not forwarded). */
  boolean replicated;
  /** For a streamed transaction: the sink's, once its first chunk was written. */
  TransactionSink.StreamedTransaction streamed;
  /** Changes handed to {@link #streamed} so far. */
  long written;
  /** Each subtransaction that made changes, and the index of its first change. */
  private final Map<Integer, Long> subxacts = new LinkedHashMap<>();
  private final List<LargeTransactionWriter.Dropped> dropped = new ArrayList<>();

  OpenTransaction(Catalog catalog, int xid) {
    this.sequenceValues = new SequenceValues(catalog);
    this.xid = xid;
  }

  /** Forgets everything, for the next transaction (the normal one is reused: its caches stay warm). */
  void reset() {
    changes.clear();
    bytes = 0;
    touchedCount = 0;
    touchedIndex = null;
    sequenceValues.reset();
    ddl = false;
    ddlSchemaSequence = -1;
  }

  /** Adds a change of relation {@code relId} (-1 for none), counting its values' bytes. */
  void add(int relId, Change change, List<Value> values) {
    if (relId >= 0) {
      touch(relId);
    }
    changes.add(change);
    for (int i = 0, n = values.size(); i < n; i++) {
      bytes += values.get(i) instanceof Value.Text t ? t.value().length() * 2L : 8;
    }
  }

  /** Hands the buffered changes out as one chunk (the caller writes it). */
  List<Change> takeChunk() {
    List<Change> chunk = List.copyOf(changes);
    changes.clear();
    bytes = 0;
    return chunk;
  }

  /** A streamed transaction's change made by {@code subxid}: remembers where that subtransaction began. */
  void madeBy(int subxid) {
    if (subxid != xid) {
      subxacts.putIfAbsent(subxid, written + changes.size());
    }
  }

  /**
   * Subtransaction {@code subxid} rolled back: everything from its first change on is dropped
   * (what came after it in the stream was its own or its children's, which rolled back with it, as
   * PostgreSQL's own apply worker assumes). Returns false when it made no change.
   */
  boolean rollBack(int subxid) {
    Long began = subxacts.get(subxid);
    if (began == null) {
      return false;
    }
    long first = began;
    subxacts.values().removeIf(start -> start >= began);
    if (first >= written) {
      changes.subList((int) (first - written), changes.size()).clear();
      return true;
    }
    changes.clear();
    bytes = 0;
    while (!dropped.isEmpty() && dropped.getLast().from() >= first) {
      dropped.removeLast();
    }
    if (!dropped.isEmpty() && dropped.getLast().to() >= first) {
      first = dropped.removeLast().from();
    }
    dropped.add(new LargeTransactionWriter.Dropped(first, written));
    return true;
  }

  List<LargeTransactionWriter.Dropped> dropped() {
    return List.copyOf(dropped);
  }

  /** Remembers a relation it touched: a scan of a few ints, a set beyond 16. */
  private void touch(int relId) {
    if (touchedIndex != null) {
      if (touchedIndex.add(relId)) {
        appendTouched(relId);
      }
      return;
    }
    for (int i = 0; i < touchedCount; i++) {
      if (touched[i] == relId) {
        return;
      }
    }
    appendTouched(relId);
    if (touchedCount > 16) {
      touchedIndex = new HashSet<>();
      for (int i = 0; i < touchedCount; i++) {
        touchedIndex.add(touched[i]);
      }
    }
  }

  private void appendTouched(int relId) {
    if (touchedCount == touched.length) {
      touched = Arrays.copyOf(touched, touchedCount * 2);
    }
    touched[touchedCount++] = relId;
  }
}
