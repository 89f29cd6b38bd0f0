package io.llmtrace.sink.processing;

import static io.llmtrace.sink.processing.TestBatches.P0;
import static io.llmtrace.sink.processing.TestBatches.P1;
import static io.llmtrace.sink.processing.TestBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.sink.db.ClickHouseTarget.InsertException;
import io.llmtrace.sink.db.InsertFailure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class InsertQueueTest {

  /** Writes by recording the token; the batch of {@code failing} fails retriably. */
  private record Inserter(String failing, List<String> written) implements BatchInserter {
    @Override
    public void write(PartitionBatch batch, boolean resent) throws InsertException {
      if (batch.token().equals(failing)) {
        throw new InsertException(new InsertFailure(InsertFailure.Kind.RETRIABLE, 252, "TOO_MANY_PARTS"), null);
      }
      written.add(batch.token() + (resent ? " resent" : ""));
    }

    @Override
    public void close() {}
  }

  @Test
  void outcomesComeBackInQueueOrderWithTheOwnerEachBatchWasTakenFrom() {
    List<String> written = Collections.synchronizedList(new ArrayList<>());
    try (InsertQueue<String> queue = new InsertQueue<>(new Inserter("t-1-0-4", written), "insert-under-test")) {
      queue.submit("first", batch(P0, 0, 4, 0), false);
      queue.submit("second", batch(P1, 0, 4, 0), false);
      queue.submit("third", batch(P0, 5, 9, 0), true);

      assertThat(queue.holds(P1)).isTrue();
      assertThat(queue.bufferedBytes()).isEqualTo(15 * TestBatches.ROW_BYTES);
      InsertQueue.Completed<String> first = queue.takeHead();
      InsertQueue.Completed<String> second = queue.takeHead();
      InsertQueue.Completed<String> third = queue.takeHead();

      assertThat(List.of(first.owner(), second.owner(), third.owner())).containsExactly("first", "second", "third");
      assertThat(first.failure()).isNull();
      assertThat(second.failure()).isNotNull();
      assertThat(second.batch().token()).isEqualTo("t-1-0-4");
      assertThat(third.failure()).isNull();
      assertThat(written).containsExactly("t-0-0-4", "t-0-5-9 resent");
      assertThat(queue.isEmpty()).isTrue();
      assertThat(queue.holds(P1)).isFalse();
    }
  }
}
