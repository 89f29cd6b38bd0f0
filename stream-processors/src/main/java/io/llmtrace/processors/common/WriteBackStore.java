package io.llmtrace.processors.common;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A key-value store that keeps the values put since the last flush as objects and writes them down when
 * Kafka Streams flushes the store — which it does before every commit, so under exactly_once_v2 the
 * written states, their changelog records and the input offsets still commit together, and a crash loses
 * only what the aborted transaction also loses.
 *
 * <p>Why: a stateful stage that reads and rewrites one aggregate per record encodes and decodes it per
 * record through the store's serde even with Kafka Streams' cache (it caches bytes). Here the second and
 * later records of a key within a commit interval touch the object only, and the state is encoded once
 * per key per commit. Kafka Streams has no public object cache for the Processor API; this is one class
 * on its {@code WrappedStateStore}.
 *
 * <p>Range and full scans write the pending values down first, so they see what {@link #get} sees. Values
 * handed out by {@link #get} may be mutated and {@link #put} back, as the stages do.
 */
public final class WriteBackStore<K, V> extends WrappedStateStore<KeyValueStore<K, V>, K, V> implements KeyValueStore<K, V> {

  /** A deleted key is a present entry with a null value. */
  private final Map<K, V> pending = new HashMap<>();
  /** Up to {@code keep} values already written down, least recently used first: read again without a decode. */
  private final LinkedHashMap<K, V> written;

  WriteBackStore(KeyValueStore<K, V> inner, int keep) {
    super(inner);
    this.written = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > keep;
      }
    };
  }

  /** Wraps a store builder (logging, caching and serdes as configured there). */
  public static <K, V> StoreBuilder<KeyValueStore<K, V>> builder(StoreBuilder<KeyValueStore<K, V>> inner) {
    return builder(inner, 0);
  }

  /**
   * As {@link #builder(StoreBuilder)}, and keeping up to {@code keep} of the values written down as objects too, for
   * a stage that reads the same keys commit after commit (the metrics stage's open windows: decoding each group's
   * window again after every commit was 3% of its stream thread).
   */
  public static <K, V> StoreBuilder<KeyValueStore<K, V>> builder(StoreBuilder<KeyValueStore<K, V>> inner, int keep) {
    return new Builder<>(inner, keep);
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    pending.clear();
    written.clear();
    super.init(context, root);
  }

  @Override
  public V get(K key) {
    if (pending.containsKey(key)) {
      return pending.get(key);
    }
    V value = written.get(key);
    return value != null ? value : wrapped().get(key);
  }

  @Override
  public void put(K key, V value) {
    pending.put(key, value);
  }

  @Override
  public V putIfAbsent(K key, V value) {
    V current = get(key);
    if (current == null) {
      put(key, value);
    }
    return current;
  }

  @Override
  public void putAll(List<KeyValue<K, V>> entries) {
    entries.forEach(entry -> put(entry.key, entry.value));
  }

  @Override
  public V delete(K key) {
    V current = get(key);
    pending.put(key, null);
    return current;
  }

  @Override
  public KeyValueIterator<K, V> range(K from, K to) {
    writeDown();
    return wrapped().range(from, to);
  }

  @Override
  public KeyValueIterator<K, V> reverseRange(K from, K to) {
    writeDown();
    return wrapped().reverseRange(from, to);
  }

  @Override
  public KeyValueIterator<K, V> all() {
    writeDown();
    return wrapped().all();
  }

  @Override
  public KeyValueIterator<K, V> reverseAll() {
    writeDown();
    return wrapped().reverseAll();
  }

  @Override
  public <PS extends Serializer<P>, P> KeyValueIterator<K, V> prefixScan(P prefix, PS prefixKeySerializer) {
    writeDown();
    return wrapped().prefixScan(prefix, prefixKeySerializer);
  }

  @Override
  public long approximateNumEntries() {
    return wrapped().approximateNumEntries() + pending.size();
  }

  @Override
  public void flushCache() {
    writeDown();
    super.flushCache();
  }

  @Override
  public void flush() {
    writeDown();
    super.flush();
  }

  /**
   * Kafka Streams calls this, not close and init, when it turns an active task into a standby or back: the store
   * stays open while a standby restores into it underneath, so what is kept here would be stale.
   */
  @Override
  public void clearCache() {
    pending.clear();
    written.clear();
    super.clearCache();
  }

  @Override
  public void close() {
    pending.clear(); // a clean close flushed first; a dirty one must not write
    written.clear(); // nor be read from what its aborted transaction wrote
    super.close();
  }

  private void writeDown() {
    if (pending.isEmpty()) {
      return;
    }
    for (Map.Entry<K, V> entry : pending.entrySet()) {
      if (entry.getValue() == null) {
        wrapped().delete(entry.getKey());
        written.remove(entry.getKey());
      } else {
        wrapped().put(entry.getKey(), entry.getValue());
        written.put(entry.getKey(), entry.getValue());
      }
    }
    pending.clear();
  }

  private record Builder<K, V>(StoreBuilder<KeyValueStore<K, V>> inner, int keep) implements StoreBuilder<KeyValueStore<K, V>> {

    @Override
    public StoreBuilder<KeyValueStore<K, V>> withCachingEnabled() {
      inner.withCachingEnabled();
      return this;
    }

    @Override
    public StoreBuilder<KeyValueStore<K, V>> withCachingDisabled() {
      inner.withCachingDisabled();
      return this;
    }

    @Override
    public StoreBuilder<KeyValueStore<K, V>> withLoggingEnabled(Map<String, String> config) {
      inner.withLoggingEnabled(config);
      return this;
    }

    @Override
    public StoreBuilder<KeyValueStore<K, V>> withLoggingDisabled() {
      inner.withLoggingDisabled();
      return this;
    }

    @Override
    public KeyValueStore<K, V> build() {
      return new WriteBackStore<>(inner.build(), keep);
    }

    @Override
    public Map<String, String> logConfig() {
      return inner.logConfig();
    }

    @Override
    public boolean loggingEnabled() {
      return inner.loggingEnabled();
    }

    @Override
    public String name() {
      return inner.name();
    }
  }

  /** For tests: values not yet written down. */
  int pendingCount() {
    return pending.size();
  }
}
