package dev.spillway.nativebuild;

/** The event-source functions (quarkus-amazon-lambda): batch files, ingest, notifier, scheduler. */
class EventsNativeTest extends NativeFunctionCheck {

    EventsNativeTest() {
        super("functions/events", "spillway-function-events");
    }
}
