package dev.spillway.backend.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.backend.engine.ChunkSink;
import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.CompletionChunks;
import dev.spillway.core.api.RequestKind;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobError;
import dev.spillway.core.stream.JobStreamWriter;
import dev.spillway.core.stream.StreamEntry;

/**
 * A streaming job's answer on its way into the job's live stream: an engine server's chunks as they are, text an
 * engine generated itself wrapped into chunks ({@code chat.completion.chunk}s, or {@code text_completion}s for a
 * text-completion job) with the id and creation time of the completion the worker will store, and the end of the
 * attempt (done, failed, or to be run again).
 */
final class JobChunks implements ChunkSink {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final JobStreamWriter writer;
    private final String completionId;
    private final long created;
    private final String model;
    private final boolean textCompletion;
    private boolean wroteText;

    JobChunks(JobStreamWriter writer, Job job, long created) {
        this.writer = writer;
        this.completionId = completionId(job);
        this.created = created;
        this.model = job.model();
        this.textCompletion = job.request().kind() == RequestKind.COMPLETION;
    }

    /** The id of the completion the worker builds around an engine's text, streamed or not. */
    static String completionId(Job job) {
        return (job.request().kind() == RequestKind.COMPLETION ? "cmpl-" : "chatcmpl-") + job.id().substring(4);
    }

    long created() {
        return created;
    }

    @Override
    public void chunk(String json) {
        writer.chunk(json);
    }

    @Override
    public void text(String piece) {
        if (textCompletion) {
            wroteText = true;
            writer.chunk(chunk(NODES.textNode(piece), null).toString());
            return;
        }
        ObjectNode delta = NODES.objectNode();
        if (!wroteText) {
            delta.put("role", "assistant");
            wroteText = true;
        }
        delta.put("content", piece);
        writer.chunk(chunk(delta, null).toString());
    }

    /**
     * Ends the stream of a job whose answer is stored: what the engine did not stream yet (the closing chunk of text
     * it generated itself, or the whole answer of an engine that cannot stream), then done.
     */
    void succeeded(ChatCompletion completion) {
        if (wroteText) {
            String finishReason = completion.json().path("choices").path(0).path("finish_reason").asText(null);
            writer.chunk(chunk(textCompletion ? NODES.textNode("") : NODES.objectNode(), finishReason).toString());
            ObjectNode usage = chunk(null, null);
            usage.set("usage", completion.json().get("usage"));
            writer.chunk(usage.toString());
        } else if (!writer.wroteChunks()) {
            CompletionChunks.of(completion, true).forEach(chunk -> writer.chunk(chunk.toString()));
        }
        writer.end(StreamEntry.Kind.DONE, "");
    }

    void failed(JobError error) {
        ObjectNode body = NODES.objectNode();
        body.putObject("error").put("message", error.message()).put("type", error.type()).putNull("param")
                .put("code", error.code());
        writer.end(StreamEntry.Kind.ERROR, body.toString());
    }

    /** This attempt will not finish the answer: the job runs again (or is no longer this worker's). */
    void abandoned() {
        writer.end(StreamEntry.Kind.RETRY, "");
    }

    /**
     * A chunk of this job's answer as OpenAI streams one ({@code text_completion} or {@code chat.completion.chunk}),
     * its one choice holding {@code content} (the text of a text chunk, the delta of a chat chunk); without choices
     * (the usage's) when {@code content} is null.
     */
    private ObjectNode chunk(JsonNode content, String finishReason) {
        ObjectNode chunk = NODES.objectNode().put("id", completionId)
                .put("object", textCompletion ? ChatCompletion.TEXT_OBJECT : CompletionChunks.OBJECT)
                .put("created", created).put("model", model);
        ArrayNode choices = chunk.putArray("choices");
        if (content == null) {
            return chunk;
        }
        ObjectNode choice = choices.addObject();
        if (textCompletion) {
            choice.set("text", content);
            choice.put("index", 0);
        } else {
            choice.put("index", 0);
            choice.set("delta", content);
        }
        choice.putNull("logprobs");
        choice.set("finish_reason", finishReason == null ? NODES.nullNode() : NODES.textNode(finishReason));
        return chunk;
    }
}
