package dev.ferry.e2e;

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What {@code ferry journal dump --json} printed, read line by line: inserts per table, and
 * whether GTIDs are consecutive and commit positions strictly increasing.
 */
final class JournalDump {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Map<String, Long> inserts = new HashMap<>();
  private final List<String> gapsOrRepeats = new ArrayList<>();
  private final List<String> gtidGapsOrRepeats = new ArrayList<>();
  private final List<JsonNode> withSequences = new ArrayList<>();
  private final List<Tx> transactions = new ArrayList<>();
  private long firstSeq = -1;

  /** Whether {@link #transactions} is kept: every transaction's whole line stays in memory. */
  private final boolean keepTransactions;

  private JournalDump(boolean keepTransactions) {
    this.keepTransactions = keepTransactions;
  }

  /** The journal's dump, checked; without {@link #transactions} (a big transaction's line is many MB). */
  static JournalDump of(FerryCli cli, Path journal, Path dir) throws Exception {
    return of(cli, journal, dir, false);
  }

  /** The journal's dump, checked, with every transaction's line kept for {@link #transactions}. */
  static JournalDump withTransactions(FerryCli cli, Path journal, Path dir) throws Exception {
    return of(cli, journal, dir, true);
  }

  private static JournalDump of(FerryCli cli, Path journal, Path dir, boolean keepTransactions) throws Exception {
    Path out = dir.resolve("dump.jsonl");
    Files.deleteIfExists(out); // the process appends to its log: a second dump of the same journal starts afresh
    Process p = cli.start(out, "journal", "dump", journal.toString(), "--json");
    if (!p.waitFor(Duration.ofMinutes(2).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("ferry journal dump still running after 2 minutes");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException("ferry journal dump exited " + p.exitValue() + ": " + Files.readString(out));
    }
    JournalDump dump = new JournalDump(keepTransactions);
    try (BufferedReader r = Files.newBufferedReader(out, StandardCharsets.UTF_8)) {
      dump.read(r);
    }
    return dump;
  }

  private void read(BufferedReader r) throws Exception {
    long lastSeq = -1;
    long lastLsn = -1;
    for (String line = r.readLine(); line != null; line = r.readLine()) {
      if (!line.startsWith("{")) {
        continue; // a log line of the dump process
      }
      JsonNode tx = JSON.readTree(line);
      String gtid = tx.path("gtid").asString();
      long seq = Long.parseLong(gtid.substring(gtid.lastIndexOf('-') + 1));
      long lsn = lsn(tx.path("sourcePosition").asString());
      firstSeq = firstSeq < 0 ? seq : firstSeq;
      if (lastSeq >= 0 && seq != lastSeq + 1) {
        gapsOrRepeats.add(gtid + " after seq " + lastSeq);
        gtidGapsOrRepeats.add(gtid + " after seq " + lastSeq);
      }
      if (lastLsn >= 0 && Long.compareUnsigned(lsn, lastLsn) <= 0) {
        gapsOrRepeats.add(gtid + " at " + tx.path("sourcePosition").asString() + " not after the one before");
      }
      lastSeq = seq;
      lastLsn = lsn;
      boolean sequence = false;
      java.util.Set<String> tables = new java.util.TreeSet<>();
      for (JsonNode change : tx.path("changes").values()) {
        String op = change.path("op").asString();
        if (op.equals("insert")) {
          inserts.merge(change.path("table").asString(), 1L, Long::sum);
        }
        if (change.has("table")) {
          tables.add(change.path("table").asString());
        }
        sequence |= op.equals("sequence");
      }
      if (keepTransactions) {
        transactions.add(new Tx(gtid, seq, tables, line));
      }
      if (sequence) {
        withSequences.add(tx);
      }
    }
  }

  /** A source position as the journal prints it ({@code pg-lsn:16b3748}): its number. */
  private static long lsn(String position) {
    return Long.parseUnsignedLong(position.substring(position.indexOf(':') + 1), 16);
  }

  /**
   * One transaction of the dump: its GTID, the GTID's sequence number, the tables its row changes touch, and
   * its whole line (GTID, commit time, source and journal positions, changes: equal in two copies of a segment).
   */
  record Tx(String gtid, long seq, java.util.Set<String> tables, String line) {
    /** The server id of the GTID ({@code 0-2-17} is 2). */
    long serverId() {
      return Long.parseLong(gtid.substring(gtid.indexOf('-') + 1, gtid.lastIndexOf('-')));
    }
  }

  /** Every transaction, in journal order (a dump made by {@link #withTransactions}). */
  List<Tx> transactions() {
    if (!keepTransactions) {
      throw new IllegalStateException("transactions are kept by JournalDump.withTransactions only");
    }
    return transactions;
  }

  /** The sequence number of the oldest transaction the journal still holds (1: nothing purged), -1 if empty. */
  long firstSeq() {
    return firstSeq;
  }

  long inserts(String table) {
    return inserts.getOrDefault(table, 0L);
  }

  List<String> gapsOrRepeats() {
    return gapsOrRepeats;
  }

  /**
   * Sequence numbers that do not follow the one before, whatever the source positions do (a journal
   * continued by a promoted database holds two sources' positions).
   */
  List<String> gtidGapsOrRepeats() {
    return gtidGapsOrRepeats;
  }

  /** The transactions that carry a sequence change, oldest first. */
  List<JsonNode> withSequences() {
    return withSequences;
  }
}
