package dev.ferry.capture.binlog;

import com.github.shyiko.mysql.binlog.BinaryLogClient;
import com.github.shyiko.mysql.binlog.event.DeleteRowsEventData;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.MariadbGtidEventData;
import com.github.shyiko.mysql.binlog.event.QueryEventData;
import com.github.shyiko.mysql.binlog.event.RotateEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.UpdateRowsEventData;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import dev.ferry.capture.TransactionSink;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One binlog connection after another for {@link MariaDbCapture}: each connects from the GTID
 * position of the last transaction handed to the journal and feeds the events to the
 * {@link TransactionAssembler}, which lives across connections. Not thread-safe: used by the
 * capture thread only (the binlog client calls the listener on that thread).
 */
final class BinlogEvents {
  /**
   * The binlog client logs through {@code java.util.logging}, at INFO for every connection; only its
   * warnings reach a node's standard error, as for the JDBC drivers. Held in a field because
   * {@code java.util.logging} keeps loggers only weakly, and would forget the level.
   */
  private static final java.util.logging.Logger CLIENT_LOG = quietClientLog();

  private final MariaDbSourceConfig config;
  private final MariaDbUrl url;
  private final TransactionSink sink;
  private final Consumer<Gtid> durable;
  private final Consumer<Exception> fail;
  private final BinlogCatalog catalog;
  private volatile Map<Long, Gtid> position;
  private long schemaSequence;
  private TransactionAssembler assembler;
  private String file = "";
  private boolean failed;

  BinlogEvents(MariaDbSourceConfig config, MariaDbUrl url, TransactionSink sink, MariaDbCapture.Start start,
      Consumer<Gtid> durable, Consumer<Exception> fail) {
    this.config = config;
    this.url = url;
    this.sink = sink;
    this.durable = durable;
    this.fail = fail;
    this.catalog = new BinlogCatalog(config.name(), url.database(), config.tables());
    this.position = start.position();
    this.schemaSequence = start.schemaSequence();
  }

  private static java.util.logging.Logger quietClientLog() {
    java.util.logging.Logger log = java.util.logging.Logger.getLogger(BinaryLogClient.class.getPackageName());
    log.setLevel(java.util.logging.Level.WARNING);
    return log;
  }

  /** The GTID position the next connection starts from. */
  Map<Long, Gtid> position() {
    return position;
  }

  /** Connects and streams until the connection ends (closed, lost, or failed by a listener). */
  void connectAndStream(Consumer<BinaryLogClient> connected) throws IOException, SQLException {
    try (Connection c = DriverManager.getConnection(config.jdbcUrl())) {
      catalog.forget();
      failed = false;
      assembler = new TransactionAssembler(config.name(), catalog, c, sink, config.chunkChanges(), config.forwardApplied(), position,
          schemaSequence);
      BinaryLogClient client = new BinaryLogClient(url.host(), url.port(), url.user(), url.password());
      client.setServerId(config.replicaServerId());
      client.setKeepAlive(false);
      client.setBlocking(true);
      client.setEventDeserializer(MariaDbCapture.deserializer());
      client.setGtidSet(GtidPositions.format(position));
      client.registerEventListener(this::onEvent);
      Exception[] lost = new Exception[1];
      client.registerLifecycleListener(new BinaryLogClient.AbstractLifecycleListener() {
        @Override
        public void onConnect(BinaryLogClient client) {
          connected.accept(client);
        }

        @Override
        public void onCommunicationFailure(BinaryLogClient client, Exception ex) {
          lost[0] = ex; // the client logs it and returns from connect(): rethrown below
        }

        @Override
        public void onEventDeserializationFailure(BinaryLogClient client, Exception ex) {
          lost[0] = ex;
        }
      });
      try {
        client.connect();
        if (lost[0] instanceof IOException e) {
          throw e;
        } else if (lost[0] != null) {
          throw new IOException(lost[0].toString(), lost[0]);
        }
      } finally {
        assembler.abandon();
        schemaSequence = assembler.schemaSequence();
      }
    }
  }

  /**
   * Handles one event; after one failed, the connection's later events are ignored until it closes:
   * the transaction the failure was in must not reach the journal without the failed part.
   */
  private void onEvent(Event event) {
    if (failed) {
      return;
    }
    try {
      handle(event);
    } catch (SQLException | IOException | RuntimeException e) {
      failed = true;
      assembler.abandon();
      fail.accept(e);
    }
  }

  private void handle(Event event) throws SQLException, IOException {
    EventHeaderV4 header = event.getHeader();
    switch (event.getData()) {
      case RotateEventData r -> file = r.getBinlogFilename();
      case MariadbGtidEventData g -> assembler.begin(new Gtid(g.getDomainId(), header.getServerId(), g.getSequence()));
      case TableMapEventData t -> assembler.tableMap(t.getTableId(), t.getDatabase(), t.getTable(),
          t.getEventMetadata() == null || t.getEventMetadata().getColumnNames() == null ? List.of()
              : t.getEventMetadata().getColumnNames());
      case WriteRowsEventData w -> assembler.rows(w.getTableId(), null, w.getRows());
      case DeleteRowsEventData d -> assembler.rows(d.getTableId(), d.getRows(), null);
      case UpdateRowsEventData u -> assembler.rows(u.getTableId(), u.getRows().stream().map(Map.Entry::getKey).toList(),
          u.getRows().stream().map(Map.Entry::getValue).toList());
      case QueryEventData q -> committed(assembler.statement(q.getDatabase(), q.getSql(), time(header), at(header)));
      case com.github.shyiko.mysql.binlog.event.XidEventData x -> committed(assembler.commit(time(header), at(header)));
      case null, default -> {
      }
    }
  }

  private static Instant time(EventHeaderV4 header) {
    return Instant.ofEpochMilli(header.getTimestamp());
  }

  private SourcePosition at(EventHeaderV4 header) {
    return SourcePosition.binlog(file.isEmpty() ? "unknown" : file, header.getNextPosition());
  }

  private void committed(Optional<CompletableFuture<?>> appended) {
    position = assembler.lastByDomain();
    appended.ifPresent(f -> {
      Gtid gtid = assembler.lastCommitted();
      f.whenComplete((ok, error) -> {
        if (error != null) {
          fail.accept(new IOException(config.side() + " the journal did not take " + gtid + ": "
              + error, error));
        } else {
          durable.accept(gtid);
        }
      });
    });
  }

}
