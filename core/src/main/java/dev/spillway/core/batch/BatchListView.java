package dev.spillway.core.batch;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** {@code GET /v1/batches}: one page of the caller's batches, newest first, in OpenAI's list shape. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.ALWAYS)
public record BatchListView(String object, List<BatchView> data, @JsonProperty("first_id") String firstId,
        @JsonProperty("last_id") String lastId, @JsonProperty("has_more") boolean hasMore) {

    public static BatchListView of(BatchService.BatchList list) {
        List<BatchView> data = list.batches().stream().map(BatchView::of).toList();
        return new BatchListView("list", data, data.isEmpty() ? null : data.get(0).id(),
                data.isEmpty() ? null : data.get(data.size() - 1).id(), list.hasMore());
    }
}
