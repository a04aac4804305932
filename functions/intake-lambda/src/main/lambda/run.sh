#!/bin/sh
# The intake's handler on the java21 runtime. The Web Adapter's exec wrapper (AWS_LAMBDA_EXEC_WRAPPER=/opt/bootstrap)
# runs this instead of Lambda's Java runtime client; its extension forwards each invocation to the HTTP server
# started here (127.0.0.1:8080) and streams the answer back. Tiered compilation stopped at C1 is what Lambda's own
# Java runtime uses: a function lives minutes, not hours, so a fast start beats peak throughput.
exec java -XX:+TieredCompilation -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:MaxRAMPercentage=75 \
  -jar "${LAMBDA_TASK_ROOT:-$(dirname "$0")}/quarkus-app/quarkus-run.jar"
