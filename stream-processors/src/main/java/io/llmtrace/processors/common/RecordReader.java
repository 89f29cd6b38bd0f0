package io.llmtrace.processors.common;

import io.micrometer.core.instrument.Counter;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The first step of a stage that reads a topic into its own records (the alert stage's rule samples, the
 * review stage's candidates): each record decoded from its bytes and turned into zero or more keyed
 * outputs; a record that cannot be read, has no value, or fails to be turned into outputs becomes a
 * {@link DeadLetter} with its original bytes and the dead-letter headers, and the stage carries on.
 * {@link #split} sends the dead letters to their topic and returns the outputs.
 */
public abstract class RecordReader<V, O> implements Processor<String, byte[], String, Object> {

  /** A record for the dead letters: its original bytes, which may be null (a tombstone has no value to read). */
  public record DeadLetter(byte[] value) {}

  private final Deserializer<V> values;
  private final Counter deadLetters;
  protected ProcessorContext<String, Object> context;

  protected RecordReader(Deserializer<V> values, Counter deadLetters) {
    this.values = values;
    this.deadLetters = deadLetters;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
  }

  @Override
  public final void process(Record<String, byte[]> record) {
    RecordMetadata source = context.recordMetadata().orElseThrow();
    List<KeyValue<String, O>> outputs;
    try {
      V value = values.deserialize(source.topic(), record.headers(), record.value());
      if (value == null) {
        throw new IllegalArgumentException("a record has no value");
      }
      outputs = read(value, record.timestamp());
    } catch (RuntimeException e) {
      deadLetters.increment();
      context.forward(DeadLetterHeaders.letter(record, e, source).withValue(new DeadLetter(record.value())));
      return;
    }
    for (KeyValue<String, O> output : outputs) {
      context.forward(new Record<String, Object>(output.key, output.value, record.timestamp()));
    }
  }

  /** The record's outputs, keyed as the next step needs them. */
  protected abstract List<KeyValue<String, O>> read(V value, long timestampMs);

  /** Sends the dead letters of readers' merged output to {@code deadLetterTopic}; the outputs, typed. */
  public static <O> KStream<String, O> split(KStream<String, Object> read, Class<O> type, String deadLetterTopic) {
    return split(read, type, deadLetterTopic, "");
  }

  /** As above, its processors' names after {@code prefix}: for an application that splits more than one stage's output. */
  public static <O> KStream<String, O> split(KStream<String, Object> read, Class<O> type, String deadLetterTopic, String prefix) {
    read.filter((key, value) -> value instanceof DeadLetter, Named.as(prefix + "unreadable"))
        .mapValues(value -> ((DeadLetter) value).value(), Named.as(prefix + "unreadable-bytes"))
        .to(deadLetterTopic, Produced.with(Serdes.String(), Serdes.ByteArray()).withName(prefix + "dead-letters"));
    return read.filter((key, value) -> type.isInstance(value), Named.as(prefix + "read"))
        .mapValues(type::cast, Named.as(prefix + "read-typed"));
  }
}
