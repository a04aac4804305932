package dev.spillway.nativebuild;

/** The HTTP intake (quarkus-amazon-lambda-rest). */
class IntakeNativeTest extends NativeFunctionCheck {

    IntakeNativeTest() {
        super("functions/intake-lambda", "spillway-function-intake");
    }
}
