package dev.ferry.capture.binlog;

import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.DeleteRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.EventHeaderV4Deserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.NullEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.UpdateRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.WriteRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The binlog connector's event deserializer with Ferry's reading of {@code TIME} values: the
 * connector reads MariaDB's {@code TIME} (the MySQL 5.6 format MariaDB writes by default) as a time
 * of day and loses the sign, so {@code -00:00:01} and {@code 838:59:59} would arrive changed. Here a
 * {@code TIME} arrives as its signed length in microseconds (a {@link Long}), decoded as the server
 * packs it ({@code my_time_packed_from_binary}). Everything else is the connector's own. Stateless.
 */
final class RowDeserializers {
  /** As many table maps as the connector keeps by default. */
  private static final int TABLE_MAPS = 10_000;

  private RowDeserializers() {
  }

  /** A deserializer for one binlog connection. */
  static EventDeserializer create() {
    Map<Long, TableMapEventData> tableMaps = new LinkedHashMap<>(128, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, TableMapEventData> eldest) {
        return size() > TABLE_MAPS;
      }
    };
    EventDeserializer defaults = new EventDeserializer();
    Map<EventType, EventDataDeserializer> byType = new IdentityHashMap<>();
    for (EventType type : EventType.values()) {
      EventDataDeserializer d = defaults.getEventDataDeserializer(type);
      if (!(d instanceof NullEventDataDeserializer)) {
        byType.put(type, d);
      }
    }
    byType.put(EventType.WRITE_ROWS, new Write(tableMaps));
    byType.put(EventType.EXT_WRITE_ROWS, new Write(tableMaps).setMayContainExtraInformation(true));
    byType.put(EventType.UPDATE_ROWS, new Update(tableMaps));
    byType.put(EventType.EXT_UPDATE_ROWS, new Update(tableMaps).setMayContainExtraInformation(true));
    byType.put(EventType.DELETE_ROWS, new Delete(tableMaps));
    byType.put(EventType.EXT_DELETE_ROWS, new Delete(tableMaps).setMayContainExtraInformation(true));
    return new EventDeserializer(new EventHeaderV4Deserializer(), new NullEventDataDeserializer(), byType, tableMaps);
  }

  /**
   * A {@code TIME} value in its binlog form (3 bytes big-endian, biased by 0x800000, then
   * {@code (fsp + 1) / 2} bytes of fraction) as signed microseconds.
   */
  static long timeMicros(int fsp, ByteArrayInputStream in) throws IOException {
    long intPart = bigEndian(in.read(3)) - 0x80_0000L;
    int fractionBytes = (fsp + 1) / 2;
    long packed;
    switch (fractionBytes) {
      case 0 -> packed = intPart << 24;
      case 1 -> {
        long frac = bigEndian(in.read(1));
        if (intPart < 0 && frac != 0) {
          intPart++;
          frac -= 0x100;
        }
        packed = (intPart << 24) + frac * 10_000;
      }
      case 2 -> {
        long frac = bigEndian(in.read(2));
        if (intPart < 0 && frac != 0) {
          intPart++;
          frac -= 0x1_0000;
        }
        packed = (intPart << 24) + frac * 100;
      }
      default -> packed = (intPart << 24) + bigEndian(in.read(3));
    }
    boolean negative = packed < 0;
    long abs = Math.abs(packed);
    long hms = abs >> 24;
    long micros = abs % (1L << 24);
    long seconds = ((hms >> 12) % (1 << 10)) * 3600 + ((hms >> 6) % (1 << 6)) * 60 + hms % (1 << 6);
    long total = seconds * 1_000_000L + micros;
    return negative ? -total : total;
  }

  private static long bigEndian(byte[] bytes) {
    long v = 0;
    for (byte b : bytes) {
      v = (v << 8) | (b & 0xFF);
    }
    return v;
  }

  private static final class Write extends WriteRowsEventDataDeserializer {
    Write(Map<Long, TableMapEventData> tableMaps) {
      super(tableMaps);
    }

    @Override
    protected Serializable deserializeTimeV2(int meta, ByteArrayInputStream in) throws IOException {
      return timeMicros(meta, in);
    }
  }

  private static final class Update extends UpdateRowsEventDataDeserializer {
    Update(Map<Long, TableMapEventData> tableMaps) {
      super(tableMaps);
    }

    @Override
    protected Serializable deserializeTimeV2(int meta, ByteArrayInputStream in) throws IOException {
      return timeMicros(meta, in);
    }
  }

  private static final class Delete extends DeleteRowsEventDataDeserializer {
    Delete(Map<Long, TableMapEventData> tableMaps) {
      super(tableMaps);
    }

    @Override
    protected Serializable deserializeTimeV2(int meta, ByteArrayInputStream in) throws IOException {
      return timeMicros(meta, in);
    }
  }
}
