package io.llmtrace.gateway.otlp;

import static io.llmtrace.gateway.otlp.IndexedKeys.index;
import static io.llmtrace.gateway.otlp.IndexedKeys.skip;
import static io.llmtrace.gateway.otlp.IndexedKeys.slot;

import io.llmtrace.schemas.avro.RetrievedDocument;
import io.opentelemetry.proto.common.v1.AnyValue;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenInference documents ({@code retrieval.documents.N.document.id|content|score}, and the same under
 * {@code reranker.output_documents}) rebuilt into RetrievedDocuments. Document metadata has no field
 * of its own and stays an attribute. A document without an id gets its position ({@code #2}) as id:
 * LangChain documents often have none, and rejecting the whole span for it would lose the trace.
 */
final class IndexedDocuments {

  private static final class Entry {
    String id;
    String content;
    Double score;
  }

  private final boolean reranked;
  private final List<Entry> entries = new ArrayList<>(4);

  /** @param reranked whether scores are rerank scores (reranker output) rather than retrieval scores */
  IndexedDocuments(boolean reranked) {
    this.reranked = reranked;
  }

  /** @param from where the index starts in {@code key}, just after the list's prefix */
  boolean apply(String key, int from, AnyValue value) {
    int dot = key.indexOf('.', from);
    int index = dot < 0 ? -1 : index(key, from, dot);
    if (index < 0) {
      return false;
    }
    int at = skip(key, dot + 1, "document.");
    switch (key.substring(at)) {
      case "id" -> {
        String id = AttributeValues.asText(value);
        if (id == null) {
          return false;
        }
        slot(entries, index, Entry::new).id = id;
      }
      case "content" -> {
        String content = AttributeValues.asString(value);
        if (content == null) {
          return false;
        }
        slot(entries, index, Entry::new).content = content;
      }
      case "score" -> {
        Double score = AttributeValues.asDouble(value);
        if (score == null) {
          return false;
        }
        slot(entries, index, Entry::new).score = score;
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  List<RetrievedDocument> documents() {
    List<RetrievedDocument> documents = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      Entry entry = entries.get(i);
      if (entry != null) {
        String id = entry.id != null ? entry.id : "#" + i;
        documents.add(new RetrievedDocument(id, null, reranked ? null : entry.score, reranked ? entry.score : null, null, entry.content));
      }
    }
    return documents;
  }
}
