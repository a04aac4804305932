package dev.spillway.local.dynamo.server;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Answers the DynamoDB Streams API ({@code DynamoDBStreams_20120810.*} targets); throws DynamoException. */
public interface StreamsHandler {

    ObjectNode handle(String operation, ObjectNode request);
}
