package dev.ferry.node.topology;

import dev.ferry.apply.dialect.DatabaseIdentity;
import dev.ferry.node.run.NodeSpec;
import dev.ferry.node.run.PromotionRecord;
import dev.ferry.node.run.ReplicaSpec;
import dev.ferry.node.run.SourceSpec;
import java.io.IOException;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * What {@code ferry promote --capture} prepares on the promoted replica's database: capture of it
 * with the node's {@code source} settings (slot, publication, tables), set up before the database
 * becomes writable, so that the slot holds every write made from then on and the database can
 * continue the journal as its source (docs/failover.md). Immutable.
 *
 * @param replica the promoted replica
 * @param source the capture settings at its database
 * @param ddlNumbering moves the numbering of DDL captured there above the journal's
 * @param record what {@code promotion.json} keeps of it
 */
record ContinuedCapture(ReplicaSpec replica, SourceSpec source, SourceSpec.DdlNumbering ddlNumbering,
    PromotionRecord.Capture record) {
  /** The capture for the one replica in {@code replicas}; refused for more than one or a kind that cannot. */
  static ContinuedCapture of(NodeSpec spec, List<ReplicaSpec> replicas) throws IOException {
    if (replicas.size() != 1) {
      throw new Promotion.RefusedException("--capture continues the journal on one database: choose the replica "
          + "to promote with --replica NAME (this node has " + replicas.stream().map(ReplicaSpec::name).toList() + ")",
          List.of());
    }
    ReplicaSpec r = replicas.get(0);
    SourceSpec.Continuation there = spec.source().continuedAt(r.url(),
        Optional.ofNullable(r.properties().getProperty("password")))
        .orElseThrow(why -> new Promotion.RefusedException(r.side() + ": " + why, List.of()));
    Optional<DatabaseIdentity> id;
    try {
      id = DatabaseIdentity.ofUrl(r.url(), r.properties());
    } catch (SQLException e) {
      throw new IOException(r.side() + " cannot be reached to prepare capture: " + e.getMessage(), e);
    }
    String key = id.map(DatabaseIdentity::key).orElse("");
    String described = id.map(DatabaseIdentity::description).orElse(r.name());
    return new ContinuedCapture(r, there.source(), there.ddlNumbering(), new PromotionRecord.Capture(r.name(), there.slot(), key, described));
  }

  /**
   * Sets capture up on the replica's database, and numbers DDL captured there above
   * {@code schemaSequence}, the highest schema sequence of the journal copy (so that the next DDL
   * carries a schema sequence above the old primary's last one). Idempotent: a slot an earlier,
   * killed run of this promotion made is kept where it is, which is still before the database
   * became writable (that comes after this); the numbering only moves forward.
   */
  void prepare(long schemaSequence) throws IOException {
    try {
      source.setUp();
      ddlNumbering.above(schemaSequence);
    } catch (SQLException e) {
      throw new IOException(replica.side() + " cannot prepare capture (slot " + record.slot() + "): "
          + e.getMessage(), e);
    }
  }
}
