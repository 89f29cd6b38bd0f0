package io.llmtrace.sink.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.clickhouse.client.api.ClientException;
import com.clickhouse.client.api.ServerException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class InsertFailureTest {

  @Test
  void valuesClickHouseCannotStoreAreRejectedEverythingElseIsRetried() {
    assertThat(InsertFailure.classify(new ServerException(469, "Constraint `x` violated", 500)))
        .isEqualTo(new InsertFailure(InsertFailure.Kind.REJECTED, 469, "Constraint `x` violated"));
    assertThat(InsertFailure.classify(new ExecutionException(new ServerException(27, "Cannot parse input", 500))).kind())
        .isEqualTo(InsertFailure.Kind.REJECTED);
    for (int code : new int[] {252, 241, 159, 209, 210, 319, 60, 16, 0}) {
      assertThat(InsertFailure.classify(new ServerException(code, "server says no", 500)).retriable()).as("code %d", code).isTrue();
    }
    assertThat(InsertFailure.classify(new ClientException("Failed", new ConnectException("Connection refused"))))
        .satisfies(f -> {
          assertThat(f.retriable()).isTrue();
          assertThat(f.message()).isEqualTo("ConnectException: Connection refused");
        });
    assertThat(InsertFailure.classify(new SocketTimeoutException("Read timed out")).retriable()).isTrue();
    assertThat(InsertFailure.classify(new IllegalStateException("anything unknown")).retriable()).isTrue();
  }
}
