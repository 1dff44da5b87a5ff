package dev.ferry.journal.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The set of GTIDs a replica has applied, as MariaDB's MWL#170 needs for parallel, out-of-order
 * apply: per domain a low-water mark (every sequence number up to it is in the set) plus the
 * ranges applied above it, separated by holes.
 *
 * <p>Membership is by domain and sequence number: within a domain a sequence number names one
 * transaction, whichever server committed it, so the server id does not take part.
 *
 * <p>Text form: domains in ascending order separated by {@code ,}; each domain is
 * {@code domain:lowWaterMark} followed by {@code :from-to} (or {@code :seq}) for each range above
 * it, e.g. {@code 0:100:102-105:107,1:5}. The empty set is the empty string. {@link #parse} and
 * {@link #toString} round-trip, and the text is canonical (equal sets have equal text).
 *
 * <p>Immutable and thread-safe: {@link #add} returns a new set.
 */
public final class GtidSet {
  private static final GtidSet EMPTY = new GtidSet(new TreeMap<>());

  /** One domain: everything in 1..lowWaterMark, plus the sorted, disjoint, non-adjacent ranges. */
  private record Domain(long lowWaterMark, List<Range> above) {
  }

  private record Range(long from, long to) {
  }

  private final TreeMap<Long, Domain> domains;

  private GtidSet(TreeMap<Long, Domain> domains) {
    this.domains = domains;
  }

  public static GtidSet empty() {
    return EMPTY;
  }

  /** Whether {@code gtid}'s domain has its sequence number in this set. */
  public boolean contains(Gtid gtid) {
    Domain domain = domains.get(gtid.domain());
    if (domain == null) {
      return gtid.seq() == 0;
    }
    if (gtid.seq() <= domain.lowWaterMark) {
      return true;
    }
    for (Range range : domain.above) {
      if (gtid.seq() < range.from) {
        return false;
      }
      if (gtid.seq() <= range.to) {
        return true;
      }
    }
    return false;
  }

  /** This set plus {@code gtid}. */
  public GtidSet add(Gtid gtid) {
    if (contains(gtid)) {
      return this;
    }
    Domain domain = domains.getOrDefault(gtid.domain(), new Domain(0, List.of()));
    List<Range> ranges = new ArrayList<>(domain.above);
    insert(ranges, gtid.seq());
    long lowWaterMark = domain.lowWaterMark;
    if (!ranges.isEmpty() && ranges.get(0).from == lowWaterMark + 1) {
      lowWaterMark = ranges.remove(0).to;
    }
    TreeMap<Long, Domain> copy = new TreeMap<>(domains);
    copy.put(gtid.domain(), new Domain(lowWaterMark, List.copyOf(ranges)));
    return new GtidSet(copy);
  }

  /**
   * This set plus every sequence number {@code from..to} of {@code domain}: one copy of the set for a
   * whole range, as a grouped commit adds (where {@link #add} per GTID would copy it per GTID).
   */
  public GtidSet addRange(long domain, long from, long to) {
    new Gtid(domain, 0, from);
    if (to < from) {
      throw new IllegalArgumentException("not a range of sequence numbers: " + from + ".." + to);
    }
    Domain d = domains.getOrDefault(domain, new Domain(0, List.of()));
    if (to <= d.lowWaterMark) {
      return this;
    }
    List<Range> ranges = new ArrayList<>(d.above.size() + 1);
    Range added = new Range(Math.max(from, d.lowWaterMark + 1), to);
    for (Range r : d.above) {
      if (added == null || r.to < added.from - 1) {
        ranges.add(r);
      } else if (r.from > added.to + 1) {
        ranges.add(added);
        ranges.add(r);
        added = null;
      } else {
        added = new Range(Math.min(r.from, added.from), Math.max(r.to, added.to));
      }
    }
    if (added != null) {
      ranges.add(added);
    }
    long lowWaterMark = d.lowWaterMark;
    if (ranges.get(0).from == lowWaterMark + 1) {
      lowWaterMark = ranges.remove(0).to;
    }
    TreeMap<Long, Domain> copy = new TreeMap<>(domains);
    copy.put(domain, new Domain(lowWaterMark, List.copyOf(ranges)));
    return new GtidSet(copy);
  }

  private static void insert(List<Range> ranges, long seq) {
    int i = 0;
    while (i < ranges.size() && ranges.get(i).to < seq - 1) {
      i++;
    }
    if (i == ranges.size() || ranges.get(i).from > seq + 1) {
      ranges.add(i, new Range(seq, seq));
      return;
    }
    Range hit = ranges.get(i);
    Range grown = new Range(Math.min(hit.from, seq), Math.max(hit.to, seq));
    if (i + 1 < ranges.size() && ranges.get(i + 1).from == grown.to + 1) {
      grown = new Range(grown.from, ranges.remove(i + 1).to);
    }
    ranges.set(i, grown);
  }

  /** The low-water mark of {@code domain}: every sequence number up to it is in the set (0: none). */
  public long lowWaterMark(long domain) {
    Domain d = domains.get(domain);
    return d == null ? 0 : d.lowWaterMark;
  }

  /** Whether {@code domain} has holes (transactions applied above its low-water mark). */
  public boolean hasHoles(long domain) {
    Domain d = domains.get(domain);
    return d != null && !d.above.isEmpty();
  }

  /** Sequence numbers {@code from..to} of {@code domain} missing below a higher one in the set. */
  public record Hole(long domain, long from, long to) {
    public Hole {
      if (from < 1 || to < from) {
        throw new IllegalArgumentException("a hole is a non-empty range of sequence numbers, got " + from + ".." + to);
      }
    }
  }

  /** Every hole of every domain, ascending: what is missing below the highest GTID of each domain. */
  public List<Hole> holes() {
    List<Hole> holes = new ArrayList<>();
    for (Map.Entry<Long, Domain> e : domains.entrySet()) {
      long next = e.getValue().lowWaterMark + 1;
      for (Range r : e.getValue().above) {
        holes.add(new Hole(e.getKey(), next, r.from - 1));
        next = r.to + 1;
      }
    }
    return List.copyOf(holes);
  }

  /** The highest sequence number in the set for {@code domain}, if any. */
  public Optional<Long> highest(long domain) {
    Domain d = domains.get(domain);
    if (d == null) {
      return Optional.empty();
    }
    return Optional.of(d.above.isEmpty() ? d.lowWaterMark : d.above.get(d.above.size() - 1).to);
  }

  /** The domains present, ascending. */
  public List<Long> domains() {
    return Collections.unmodifiableList(new ArrayList<>(domains.keySet()));
  }

  /**
   * Parses the text form.
   *
   * @throws IllegalArgumentException naming the text if it is malformed, unordered or overlapping
   */
  public static GtidSet parse(String text) {
    if (text.isEmpty()) {
      return EMPTY;
    }
    TreeMap<Long, Domain> domains = new TreeMap<>();
    try {
      for (String part : text.split(",", -1)) {
        parseDomain(part, domains);
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a GTID set: '" + text + "': " + e.getMessage(), e);
    }
    return new GtidSet(domains);
  }

  private static void parseDomain(String part, TreeMap<Long, Domain> domains) {
    String[] fields = part.split(":", -1);
    if (fields.length < 2) {
      throw new IllegalArgumentException("domain '" + part + "' is not domain:lowWaterMark[:from-to]...");
    }
    long domain = number(fields[0]);
    if (!domains.isEmpty() && domains.lastKey() >= domain) {
      throw new IllegalArgumentException("domain " + domain + " is not in ascending order");
    }
    new Gtid(domain, 0, 0);
    long previousEnd = number(fields[1]);
    long lowWaterMark = previousEnd;
    List<Range> ranges = new ArrayList<>();
    for (int i = 2; i < fields.length; i++) {
      Range range = range(fields[i]);
      if (range.from <= previousEnd + 1 || range.to < range.from) {
        throw new IllegalArgumentException("range '" + fields[i] + "' of domain " + domain
            + " is empty, overlapping, adjacent or out of order");
      }
      ranges.add(range);
      previousEnd = range.to;
    }
    domains.put(domain, new Domain(lowWaterMark, List.copyOf(ranges)));
  }

  private static Range range(String field) {
    int dash = field.indexOf('-');
    if (dash < 0) {
      long seq = number(field);
      return new Range(seq, seq);
    }
    return new Range(number(field.substring(0, dash)), number(field.substring(dash + 1)));
  }

  private static long number(String field) {
    if (field.isEmpty() || field.length() > 19 || !field.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("'" + field + "' is not a decimal number");
    }
    return Long.parseLong(field);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof GtidSet set && set.domains.equals(domains);
  }

  @Override
  public int hashCode() {
    return domains.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder();
    for (Map.Entry<Long, Domain> entry : domains.entrySet()) {
      if (!text.isEmpty()) {
        text.append(',');
      }
      text.append(entry.getKey()).append(':').append(entry.getValue().lowWaterMark);
      for (Range range : entry.getValue().above) {
        text.append(':').append(range.from);
        if (range.to != range.from) {
          text.append('-').append(range.to);
        }
      }
    }
    return text.toString();
  }
}
