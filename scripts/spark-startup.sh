#!/usr/bin/env bash
# Measures Spark's own fixed cost the way the jobs are run here (scripts/lib.sh's assetcost_submit, local
# mode, the class-data-sharing archive unless ASSETCOST_CDS=0): building a session, one trivial Spark job,
# stopping. Prints "session_s=... first_job_s=... stop_s=..."; time the script for the JVM's share as well.
#
#   time scripts/spark-startup.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
assetcost_build
ASSETCOST_APP_JAR="$TOOLS_JAR" assetcost_submit io.assetcost.tools.SparkStartup
