package dev.ferry.journal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The codec on its own, without a journal directory or a frame: what an {@link
 * RecordCodec.Encoder} writes, the {@code read} methods give back. (The journal's own tests read
 * the same payloads through the segment engine, and OldJournalsTest reads committed bytes.)
 */
class RecordCodecTest {
  private static final TableId T = Transactions.ACCOUNTS;

  private static ByteSource sourceOf(ByteSink payload) {
    byte[] copy = Arrays.copyOf(payload.array(), payload.size());
    return new ByteSource(copy, 0, copy.length);
  }

  @Test
  void aTransactionPayloadGivesBackItsMetadataAndEveryKindOfChange() {
    List<Value> row = List.of(new Value.Int64(7), new Value.Text("seven"));
    List<Value> key = List.of(new Value.Int64(7), Value.NULL);
    Transaction tx = new Transaction(new Gtid(0, 1, 7), Instant.parse("2026-01-01T00:00:07.123456789Z"), 3,
        SourcePosition.binlog("mariadb-bin.000002", 4711).withSourceGtid(new Gtid(0, 1, 7)), List.of(
            new Change.Insert(T, Transactions.ACCOUNT_COLUMNS, row),
            new Change.Update(T, Transactions.ACCOUNT_COLUMNS, Change.OldImage.KEY, key,
                List.of(new Value.Int64(7), Value.UNCHANGED)),
            new Change.Delete(T, Transactions.ACCOUNT_COLUMNS, Change.OldImage.KEY, key),
            new Change.Truncate(List.of(T, new TableId("public", "other")), true, false),
            new Change.Ddl("alter table accounts add column x int", "public", 3),
            new Change.SequenceAdvance(new TableId("public", "accounts_id_seq"), 8),
            new Change.Message("test", true, "hello".getBytes(StandardCharsets.UTF_8))));

    ByteSource in = sourceOf(new RecordCodec.Encoder().transaction(tx));
    RecordCodec.Meta meta = RecordCodec.readMeta(in, 4);
    List<Change> changes = RecordCodec.readChanges(in, 4);

    assertThat(new Transaction(tx.gtid(), meta.commitTime(), meta.schemaSequence(), meta.sourcePosition(), changes))
        .isEqualTo(tx);
  }

  @Test
  void aStreamedCommitGivesBackItsStreamKeyAndDroppedRanges() {
    RecordCodec.Meta meta = new RecordCodec.Meta(Transactions.T0, 1, SourcePosition.pgLsn(99));
    RecordCodec.CommitInfo info = new RecordCodec.CommitInfo(meta, 3, 10, new JournalPosition(2, 72),
        Optional.of(new Gtid(0, 0, 41)), List.of(new RecordCodec.DroppedRange(1, 2),
            new RecordCodec.DroppedRange(4, 10)));

    RecordCodec.CommitInfo read = RecordCodec.readCommit(sourceOf(new RecordCodec.Encoder().commit(info)), 4, true);

    assertThat(read).isEqualTo(info);
    assertThat(read.delivered()).isEqualTo(3);
  }

  @Test
  void oneEncoderReusedForManyRecordsNamesEachRecordsTablesAfresh() {
    RecordCodec.Encoder encoder = new RecordCodec.Encoder();
    encoder.transaction(Transactions.accounts(1));
    ByteSource chunk = sourceOf(encoder.chunk(5, Transactions.accounts(2).changes()));

    assertThat(RecordCodec.readChunkIndex(chunk)).isEqualTo(5);
    assertThat(RecordCodec.readChanges(chunk, 4)).isEqualTo(Transactions.accounts(2).changes());
    assertThat(RecordCodec.readAbort(sourceOf(encoder.abort(3)))).isEqualTo(3);
  }

  @Test
  void aPayloadThatEndsEarlyIsMalformedNotAnotherException() {
    ByteSink payload = new RecordCodec.Encoder().transaction(Transactions.accounts(1));
    for (int cut = 0; cut < payload.size(); cut++) {
      byte[] part = Arrays.copyOf(payload.array(), cut);
      assertThatThrownBy(() -> {
        ByteSource in = new ByteSource(part, 0, part.length);
        RecordCodec.readMeta(in, 4);
        RecordCodec.readChanges(in, 4).forEach(c -> c.toString().length());
      }).as("payload cut at byte " + cut).isInstanceOf(ByteSource.MalformedRecordException.class);
    }
  }
}
