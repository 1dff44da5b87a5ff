package dev.ferry.node.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.journal.model.Gtid;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The divergence check of {@code ferry rejoin}: branch point and tail by GTID and content checksum. */
class DivergenceTest {
  private static final String WHERE = "the new primary's journal at http://b/";

  @Test
  void theOldPrimarysTransactionsAfterTheBranchPointAreItsTail() throws Exception {
    List<Divergence.Tx> a = history(1, 1, 10); // the old primary went on to 0-1-10
    List<Divergence.Tx> b = history(1, 1, 7); // the promoted node received up to 0-1-7
    b.addAll(history(2, 8, 12)); // then wrote 0-2-8.. of its own
    Divergence d = Divergence.find(a, b, WHERE);
    assertThat(d.branchPoint()).isEqualTo(new Gtid(0, 1, 7));
    assertThat(d.firstOfNewPrimary()).isEqualTo(new Gtid(0, 2, 8));
    assertThat(d.tail()).containsExactly(new Gtid(0, 1, 8), new Gtid(0, 1, 9), new Gtid(0, 1, 10));
    assertThat(d.firstDivergent()).contains(new Gtid(0, 1, 8));
  }

  @Test
  void anOldPrimaryThatWroteNothingAfterTheBranchPointHasAnEmptyTail() throws Exception {
    List<Divergence.Tx> b = history(1, 1, 7);
    b.addAll(history(2, 8, 9));
    Divergence d = Divergence.find(history(1, 1, 7), b, WHERE);
    assertThat(d.tail()).isEmpty();
    assertThat(d.firstDivergent()).isEmpty();
  }

  @Test
  void otherContentAtTheBranchPointIsRefusedNamingTheGtid() {
    List<Divergence.Tx> a = history(1, 1, 10);
    a.set(6, new Divergence.Tx(new Gtid(0, 1, 7), 4242)); // same GTID, other content
    List<Divergence.Tx> b = history(1, 1, 7);
    b.addAll(history(2, 8, 9));
    assertThatThrownBy(() -> Divergence.find(a, b, WHERE)).hasMessageContaining("0-1-7")
        .hasMessageContaining("content checksum").hasMessageContaining("not the old primary");
  }

  @Test
  void aJournalWithoutTheBranchPointIsNotTheOldPrimarys() {
    List<Divergence.Tx> b = history(1, 1, 7);
    b.addAll(history(2, 8, 9));
    assertThatThrownBy(() -> Divergence.find(history(1, 1, 5), b, WHERE))
        .hasMessageContaining("does not hold the branch point 0-1-7");
  }

  @Test
  void withoutATransactionOfTheNewPrimaryThereIsNoDivergenceInformation() {
    assertThatThrownBy(() -> Divergence.find(history(1, 1, 10), history(1, 1, 7), WHERE))
        .hasMessageContaining("no divergence information").hasMessageContaining(WHERE);
    List<Divergence.Tx> purged = history(2, 8, 9);
    assertThatThrownBy(() -> Divergence.find(history(1, 1, 10), purged, WHERE))
        .hasMessageContaining("no longer holds the branch point");
    assertThatThrownBy(() -> Divergence.find(List.of(), purged, WHERE)).hasMessageContaining("holds no transaction");
  }

  /** Transactions {@code 0-server-from..0-server-to}, each with a checksum derived from its GTID. */
  private static List<Divergence.Tx> history(int server, long from, long to) {
    List<Divergence.Tx> txs = new ArrayList<>();
    for (long s = from; s <= to; s++) {
      txs.add(new Divergence.Tx(new Gtid(0, server, s), server * 1000L + s));
    }
    return txs;
  }
}
