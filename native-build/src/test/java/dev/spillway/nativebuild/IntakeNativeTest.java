package dev.spillway.nativebuild;

/** The HTTP intake: a plain Quarkus HTTP app, run in Lambda behind the Web Adapter. */
class IntakeNativeTest extends NativeFunctionCheck {

    IntakeNativeTest() {
        super("functions/intake-lambda", "spillway-function-intake");
    }
}
